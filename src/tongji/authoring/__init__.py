"""Writing mappings for new layouts: `inspect` shows what tongji sees in a workbook,
`suggest` drafts a mapping from one, `fields` lists what a mapping can target."""
