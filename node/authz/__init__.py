"""Authorization: subject grants, purpose policy and field minimisation."""
