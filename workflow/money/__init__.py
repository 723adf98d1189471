"""Programme money: grants, budgets, disbursements, expenditures and the caps on them."""
