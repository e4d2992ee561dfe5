"""The site: what the generated pages and the theme around them show."""
