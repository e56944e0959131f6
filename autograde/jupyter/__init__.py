"""What the course adds to Jupyter: the Assignment List's answer when no exchange is set up
(assignment_list.py), the offline MathJax macro of feedback and formgrader pages (nbconvert/,
found through JUPYTER_PATH: see autograde/nbgrader_config.py), and a Validate that stops after the last
graded cell (validate.py, set by nbgrader_config.py, which `make setup` installs in the environment)."""
