"""A Jupyter server extension: nbgrader's Assignment List, which with no course exchange set up says how
to set one up instead of showing "Error fetching courses!" and a traceback.

nbgrader's page asks the server for the courses, then for the assignments of the first one, and shows a
failed answer's text in each of its three lists; a failed courses answer also turns the course menu into
"Error fetching courses!". With no exchange, the courses answer here succeeds with one entry,
NO_EXCHANGE, which the menu shows, and that course's assignments answer is the how-to text, which the
lists show. With an exchange, every answer is nbgrader's.

`make setup` enables the extension for the environment (`jupyter server extension enable --sys-prefix`);
it takes effect when the server has started, after nbgrader's own extension has set up its page.
"""

from nbgrader.server_extensions.assignment_list.handlers import AssignmentList, chdir

from autograde.exchange import HOW_TO_SET_UP, exchange_is_set_up

NO_EXCHANGE = "(no course exchange set up)"


class AssignmentListOrExplain(AssignmentList):
    """nbgrader's Assignment List backend, with the answers above when no exchange is set up."""

    def exchange_is_set_up(self) -> bool:
        # The configuration nbgrader's list reads for every request: Jupyter's config path and the
        # server's root folder, so an exchange set up while the server runs is found at the next refresh.
        with chdir(self.root_dir):
            return exchange_is_set_up(self.load_config())

    def list_courses(self):
        if not self.exchange_is_set_up():
            return {"success": True, "value": [NO_EXCHANGE]}
        return super().list_courses()

    def list_assignments(self, course_id=None):
        if not self.exchange_is_set_up():
            return {"success": False, "value": HOW_TO_SET_UP}
        return super().list_assignments(course_id=course_id)


def _jupyter_server_extension_points():
    return [{"module": "autograde.jupyter.assignment_list"}]


def _load_jupyter_server_extension(serverapp) -> None:
    # Nothing yet: extensions load in alphabetical order, and nbgrader's, loaded after this one, would
    # replace a backend installed now.
    pass


async def _start_jupyter_server_extension(serverapp) -> None:
    settings = serverapp.web_app.settings
    if "assignment_list_manager" not in settings:
        return  # nbgrader's Assignment List is switched off in this Jupyter
    manager = AssignmentListOrExplain(parent=serverapp)
    manager.root_dir = settings["assignment_list_manager"].root_dir
    settings["assignment_list_manager"] = manager
    serverapp.log.info("autograde: the Assignment List explains how to set up a course exchange when none is")
