"""Open311 GeoReport v2 server for issues: the wire format is the Open311 community's spec."""
