"""Reading scanned post: refusing what is dangerous or too big, rendering pages, OCR and QR codes, the sender's
block. Pure functions of the file's bytes: no database, no network."""
