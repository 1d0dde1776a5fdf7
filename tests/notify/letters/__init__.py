"""Letters by post: rendering, the provider, the print batch, returned letters."""
