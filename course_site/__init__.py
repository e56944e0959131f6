"""The course website: both editions of the lessons and the guides as one static site per language,
built offline with Sphinx and myst-nb (`make site`, `python -m course_site build`)."""
