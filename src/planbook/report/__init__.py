"""What the report shows: tables, sentences and charts of one edition."""

# The media type of a chart's print spec in a notebook output (drawn as PNG for the PDF).
PRINT_MIME = "application/vnd.planbook.print+json"
# The script of the Vega-Lite compiler, for pages that compile their charts in the browser
# (the indicator pages; planbook.site.vega writes it into the site's _static folder).
VEGA_LITE_BUNDLE = "planbook-vega-lite.js"
