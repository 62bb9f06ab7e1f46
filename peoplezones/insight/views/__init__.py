"""Pages of place insight: crime in a zone (public and staff), hotspot runs, harm weights and
Crimestoppers targeting. Views parse, check permission, call a selector or service, render."""
