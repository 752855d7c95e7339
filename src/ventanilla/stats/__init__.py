"""Complaint statistics and the heat map of open complaints, as the newest panel's statistics page reads them."""
