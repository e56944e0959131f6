"""Sphinx's configuration of the course site, shared by both languages. `course_site.build` passes what
differs per build (language, execution, the notebooks to download) as overrides."""

project = "Learning from human feedback"
author = "the rlhf-course authors"
language = "en"
extensions = ["myst_nb", "sphinx-mathjax-offline", "course_site.extension"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
templates_path = ["_templates"]
html_static_path = ["_static"]
html_css_files = ["course-site.css"]

# Notebooks: executed once into a cache shared by both languages (jupyter-cache keys a notebook on its
# code cells, identical in both editions); each lesson in a fresh temporary folder, as a student's run
# would write its scripts and checkpoints in the lesson's folder. Lesson 6's longest cell trains for
# minutes on 2 busy cores.
nb_execution_mode = "cache"
nb_execution_in_temp = True
nb_execution_timeout = 1800
nb_execution_raise_on_error = True
nb_execution_show_tb = True
# Warnings and progress bars go to stderr: the reader sees the lesson's own results, not the noise.
nb_output_stderr = "remove"
# myst-nb loads the widget manager (progress bars) from a CDN: the site must read offline.
nb_ipywidgets_js = {}
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3  # links to a guide's sections (guide.md#section)

html_theme = "sphinx_book_theme"
html_title = project
html_copy_source = False
html_show_sourcelink = False
html_last_updated_fmt = None
# The language switcher under the site's title, on every page.
html_context = {"default_mode": "light"}  # (with none, the theme's script logs an error on a first visit)
html_sidebars = {
    "**": ["navbar-logo.html", "language-switcher.html", "search-button-field.html", "sbt-sidebar-nav.html"]
}
html_theme_options = {
    # The theme's download menu offers the page's source (here, the site's copy of a notebook); each
    # lesson links to the student notebook itself (course_site.extension). No launch buttons: they
    # load Binder/Thebe from the network.
    "use_download_button": False,
    "use_fullscreen_button": False,
    "home_page_in_toc": True,
    "show_toc_level": 2,
}
