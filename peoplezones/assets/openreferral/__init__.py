"""The asset map as an Open Referral UK (HSDS 3.0 UK profile) read API."""
