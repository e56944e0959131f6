"""nbgrader settings that Jupyter reads when started in this folder (`.venv/bin/jupyter lab`, as
docs/student-guide.md says): with no course exchange set up, the Assignment List says how to set one up
(autograde/exchange.py) instead of reporting a missing /usr/local/share/nbgrader/exchange. Grading uses
autograde/nbgrader_config.py."""

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)
c.ExchangeFactory.list = "autograde.exchange.ListOrExplain"
