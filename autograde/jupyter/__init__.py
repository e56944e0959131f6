"""What the course adds to Jupyter: the Assignment List's answer when no exchange is set up
(assignment_list.py), the offline MathJax macro of feedback and formgrader pages (nbconvert/,
found through JUPYTER_PATH: see autograde/nbgrader_config.py), and two settings that `make setup`
installs in the environment: a Validate judged as grading judges (nbgrader_config.py, validate.py) and
a kernel status that stays true while a cell shows a widget (jupyter_server_config.py)."""
