# Two commands for a new user: `make demo` (set up + the embedded pipeline) and `make test` (the fast
# suite, <= 5 minutes on 2 cores); `make test-all` adds the slow end-to-end runs in the same session (what CI runs).
VENV ?= .venv
PYTHON := $(VENV)/bin/python
SERVER_EXTENSION := $(VENV)/etc/jupyter/jupyter_server_config.d/autograde.json
NBGRADER_SETTINGS := $(VENV)/etc/jupyter/nbgrader_config.py
SERVER_SETTINGS := $(VENV)/etc/jupyter/jupyter_server_config.py
# Half of CPU training time went to glibc's mmap/munmap churn on large tensors; keeping freed memory
# in the heap made SFT + DPO 1.3-2x faster with identical results.
export MALLOC_MMAP_THRESHOLD_ = 4294967296
export MALLOC_TRIM_THRESHOLD_ = 4294967296

.PHONY: setup demo test test-slow test-all course translations notebooks site clean

# $(call apt_install,COMMAND,PACKAGES,WHAT GOES WITHOUT IT): Debian packages that `make setup` installs
# when it runs as root with apt-get, best effort; otherwise it says what is lost and how to install them.
apt_install = command -v $(1) >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  { apt-get install -y -qq $(2) >/dev/null 2>&1 || \
	    { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq $(2) >/dev/null 2>&1; }; }; } || \
	  echo "make setup: $(1) is not installed: $(3). Install it: apt-get install $(2)" >&2

# bubblewrap isolates each graded submission (autograde/sandbox.py); without it grading falls back to
# unshare or to no sandbox, and says so. Chromium (with CJK fonts for the lessons' Japanese) is the
# browser of tests/test_browser.py, driven by Playwright for Python: Playwright's own browser download
# does not work offline.
setup: $(VENV)/.installed $(SERVER_EXTENSION) $(NBGRADER_SETTINGS) $(SERVER_SETTINGS)
	@$(call apt_install,bwrap,bubblewrap,grading will isolate submissions less well (unshare or no sandbox))
	@$(call apt_install,chromium,chromium fonts-noto-cjk,tests/test_browser.py will be skipped)

# Our Jupyter server extension (autograde/jupyter/assignment_list.py), enabled for every Jupyter started
# from this environment, as nbgrader's own are (`jupyter server extension enable` refuses a module that
# no configuration names yet, so the file is copied).
$(SERVER_EXTENSION): autograde/jupyter/server_extension.json $(VENV)/.installed
	mkdir -p $(@D)
	cp $< $@

# nbgrader's settings for every Jupyter of this environment: Validate stops after the last graded cell.
$(NBGRADER_SETTINGS): autograde/jupyter/nbgrader_config.py $(VENV)/.installed
	mkdir -p $(@D)
	cp $< $@

# The Jupyter server's settings for this environment: the kernel status that JupyterLab and Notebook 7
# show stays "Busy" while a cell that shows a widget runs (the file says why).
$(SERVER_SETTINGS): autograde/jupyter/jupyter_server_config.py $(VENV)/.installed
	mkdir -p $(@D)
	cp $< $@

# torch first, pinned: on its own a dependency resolver picks a multi-GB CUDA build.
$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet torch==2.13.0
	$(PYTHON) -m pip install --quiet -e ".[test,site]"
	touch $@

demo: setup
	$(PYTHON) -m rlhf_lab demo

# The tiny reference model first, with both cores (cached: seconds when it exists), so that no graded
# notebook cell has to train it within nbgrader's cell time limit. Then two workers with one thread
# each: two-thread torch processes competing for two cores spin in OpenMP and ran 3x slower here.
# Tests marked `slow` (end-to-end runs of more than ~20 s, see pyproject.toml) are left out of the fast
# selection; `make test SELECT=` selects every test in one session, which is what test-all and CI run.
SELECT ?= -m "not slow"
test: setup
	$(PYTHON) -m rlhf_lab build-reference
	OMP_NUM_THREADS=1 $(PYTHON) -m pytest -q -n 2 --dist loadgroup $(SELECT)

test-slow:
	$(MAKE) test SELECT='-m slow'

test-all:
	$(MAKE) test SELECT=

# Both editions of every lesson (course/ja/, course/en/) and the translated guides (docs/ja/).
course: setup
	$(PYTHON) -m autograde generate

# The course website, both languages, offline: runs/site/html/ (serve it: python3 -m http.server -d
# runs/site/html). The first build runs each lesson once (the reference model trained first, with both
# cores); later builds reuse those runs (runs/site/jupyter_cache) and take under a minute.
site: setup
	$(PYTHON) -m rlhf_lab build-reference
	$(PYTHON) -m course_site build

# The translation catalogs (locale/) in step with the lessons and guides; prints what is left to translate.
translations: setup
	$(PYTHON) -m autograde translations

clean:
	rm -rf runs
