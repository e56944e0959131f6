"""What the course adds to Jupyter: the Assignment List's answer when no exchange is set up
(assignment_list.py), and the offline MathJax macro of feedback and formgrader pages (nbconvert/,
found through JUPYTER_PATH: see autograde/nbgrader_config.py)."""
