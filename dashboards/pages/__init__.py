"""One module per dashboard page; each exposes ``build(wh, out_dir) -> str`` (the page body, HTML)."""
