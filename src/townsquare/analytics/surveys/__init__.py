"""Satisfaction surveys (CSAT): one question after a case or a contact closes, on the channel the person used,
answered from any channel, and the results supervisors read. See docs/satisfaction.md.

`inviting` decides when to ask, `asking` puts the question, `answering` keeps the answer, `results` counts,
`desk` is what the desk's pages read (the comments' access log). Nothing here logs what a person wrote.
"""
