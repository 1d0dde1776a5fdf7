"""Letters by post: the last channel of the fallback. A letter is rendered to PDF, kept with its interaction,
gathered into the day's print batch for a print-and-post supplier, and marked returned when the post brings it back.
"""
