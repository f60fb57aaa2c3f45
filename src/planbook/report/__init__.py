"""What the report shows: tables, sentences and charts of one edition."""

# The media type of a chart's print spec in a notebook output (drawn as PNG for the PDF).
PRINT_MIME = "application/vnd.planbook.print+json"
