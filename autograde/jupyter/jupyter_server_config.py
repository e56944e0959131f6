"""Jupyter server settings for every Jupyter started from the course's environment: `make setup` copies
this file to .venv/etc/jupyter/jupyter_server_config.py (in a conda environment, copy it to
<environment>/etc/jupyter/jupyter_server_config.py).

The kernel status that JupyterLab 4.6 and Notebook 7 show ("Busy", "Idle") follows every status message
of the kernel except those answering a message type the server lists as untracked, a list jupyter_server
documents as "a superset of the message types sent on any channel other than the shell channel". The
kernel subshell requests of ipykernel 7 go on the control channel and are missing from it (jupyter_server
2.21): when a cell showed its first widget (tqdm's progress bars are widgets), the page asked the kernel
for a subshell for the widget's messages, and the busy/idle pair of that request set the status to "Idle"
for the rest of the cell (80-190 s of lesson 6's first demonstration). tests/test_browser.py watches it.
"""

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

c.MappingKernelManager.untracked_message_types.extend(
    [f"{action}_subshell_{kind}" for action in ("create", "delete", "list") for kind in ("request", "reply")]
)
