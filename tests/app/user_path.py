#!/usr/bin/python3
"""Drives the real `thinkbench` window in an X server as a user does, and saves a screenshot of
each step. Widgets are found through the accessibility tree (AT-SPI, as screen readers see them)
and clicked or typed at with xdotool, so the events go through the X server like a user's.

Run by tests/app/tst_user_path.cpp inside `dbus-run-session` (AT-SPI lives on a session bus):
    user_path.py --app THINKBENCH --db RUNS.sqlite --run NAME --export OUT.jsonl --shots DIR
Exits 0 when every step was seen; otherwise prints the step that failed and the widgets it saw.
"""
import argparse
import os
import signal
import subprocess
import sys
import time

import pyatspi

SCREEN = "1600x1000x24"
FIRST_RUN_COLOUR = (31, 119, 180)  # the curves' palette gives the first run this colour


def start_x_server():
    """Xvfb on a free display number, which Xvfb picks and reports itself (-displayfd)."""
    read_end, write_end = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-screen", "0", SCREEN, "-nolisten", "tcp"],
                              pass_fds=(write_end,), stderr=subprocess.DEVNULL)
    os.close(write_end)
    with os.fdopen(read_end) as f:
        display = ":" + f.readline().strip()
    return server, display


class Session:
    def __init__(self, args, display):
        self.args = args
        self.display = display
        self.step = 0
        os.makedirs(args.shots, exist_ok=True)

    # --- finding widgets -------------------------------------------------------------------
    def app(self, timeout=60):
        def found():
            desktop = pyatspi.Registry.getDesktop(0)
            for i in range(desktop.childCount):
                a = desktop.getChildAtIndex(i)
                if a is not None and a.name == "ThinkBench":
                    return a
            return None
        return self.wait(found, timeout, "the ThinkBench application on the accessibility bus")

    def find(self, role, name=None, timeout=30, within=None, prefix=False):
        """The first showing widget of `role` (any role: None) whose name is `name` (or starts
        with it), waited for."""
        what = f"{role or 'widget'} '{name}'" if name is not None else role
        return self.wait(lambda: self.find_now(role, name, within, prefix), timeout, what)

    def find_now(self, role, name=None, within=None, prefix=False):
        def matches(acc):
            if role is not None and acc.getRoleName() != role:
                return False
            if name is not None and not (acc.name.startswith(name) if prefix else acc.name == name):
                return False
            return self.showing(acc)
        return self.first(within or self.app(), matches)

    def first(self, root, matches, depth=0):
        if root is None or depth > 40:
            return None
        if matches(root):
            return root
        for i in range(root.childCount):
            hit = self.first(root.getChildAtIndex(i), matches, depth + 1)
            if hit is not None:
                return hit
        return None

    @staticmethod
    def showing(acc):
        states = acc.getState()
        if not states.contains(pyatspi.STATE_SHOWING):
            return False
        e = Session.extents(acc)
        return e.width > 0 and e.height > 0 and e.x >= 0 and e.y >= 0

    @staticmethod
    def extents(acc):
        return acc.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)

    def wait(self, probe, timeout, what):
        end = time.time() + timeout
        while time.time() < end:
            try:
                hit = probe()
            except Exception:  # the tree changes under us while widgets come and go
                hit = None
            if hit:
                return hit
            time.sleep(0.25)
        self.fail(f"did not see {what} within {timeout} s")

    # --- acting as the user ----------------------------------------------------------------
    def xdotool(self, *words):
        subprocess.run(["xdotool", *words], check=True, env=dict(os.environ, DISPLAY=self.display))

    def click(self, acc, dx=0.5, dy=0.5, double=False):
        e = self.extents(acc)
        x, y = int(e.x + e.width * dx), int(e.y + e.height * dy)
        self.xdotool("mousemove", str(x), str(y))  # not --sync: it hangs when the pointer is there
        time.sleep(0.1)
        self.xdotool("click", "--repeat", "2" if double else "1", "1")
        time.sleep(0.4)

    def scroll_into_view(self, acc, frame):
        """Pages the vertical scroll bar of `frame` (a dock) down until `acc` lies inside it, as a
        user scrolls a panel taller than its dock (the wheel would turn whatever combo box or list
        happens to be under the pointer)."""
        def vertical_bar(a):
            if a.getRoleName() != "scroll bar" or not self.showing(a):
                return False
            e = self.extents(a)
            return e.height > e.width
        bar = self.find_now("scroll bar", within=frame) and self.first(frame, vertical_bar)
        for _ in range(40):
            e, f = self.extents(acc), self.extents(frame)
            if f.y <= e.y and e.y + e.height <= f.y + f.height:
                return
            if bar is None:
                break
            b = self.extents(bar)
            self.xdotool("mousemove", str(b.x + b.width // 2), str(b.y + b.height - 24))
            time.sleep(0.1)
            self.xdotool("click", "1")
            time.sleep(0.2)
        self.fail(f"could not scroll {acc.name} into view")

    def key(self, combo):
        self.xdotool("key", "--clearmodifiers", combo)
        time.sleep(0.4)

    def type(self, text):
        self.xdotool("type", "--delay", "20", text)

    def screen(self):
        """The screen as (width, height, RGB bytes), read from the X server."""
        env = dict(os.environ, DISPLAY=self.display)
        xwd = subprocess.run(["xwd", "-root", "-silent"], env=env, capture_output=True, check=True).stdout
        pnm = subprocess.run(["xwdtopnm"], input=xwd, capture_output=True, check=True).stdout
        fields, pos = [], 0
        while len(fields) < 4:  # P6, width, height, maxval, with optional comments between
            while pnm[pos:pos + 1].isspace():
                pos += 1
            if pnm[pos:pos + 1] == b"#":
                pos = pnm.index(b"\n", pos)
                continue
            end = pos
            while not pnm[end:end + 1].isspace():
                end += 1
            fields.append(pnm[pos:end])
            pos = end
        width, height, maxval = int(fields[1]), int(fields[2]), int(fields[3])
        data = pnm[pos + 1:]
        if maxval > 255:  # two bytes a sample, big-endian: keep the high ones
            data = data[0::2]
        return width, height, data

    def curve_point(self, chart, dx, colour):
        """Where the curve drawn in `colour` crosses the column at `dx` of the chart, found on the
        screen as a user finds it by eye."""
        def find():
            e = self.extents(chart)  # read again: the chart moves while the dashboard lays out
            x = int(e.x + e.width * dx)
            width, _, rgb = self.screen()
            def distance(y):
                i = 3 * (y * width + x)
                return sum(abs(rgb[i + c] - colour[c]) for c in range(3))
            y = min(range(e.y, e.y + e.height), key=distance)
            return (x, y) if distance(y) <= 60 else None
        return self.wait(find, 10, f"a curve of colour {colour} at {dx:.0%} of {chart.name}")

    def click_at(self, x, y):
        self.xdotool("mousemove", str(x), str(y))
        time.sleep(0.1)
        self.xdotool("click", "1")
        time.sleep(0.4)

    def shot(self, name):
        self.step += 1
        path = os.path.join(self.args.shots, f"{self.step:02d}_{name}.png")
        env = dict(os.environ, DISPLAY=self.display)
        xwd = subprocess.run(["xwd", "-root", "-silent"], env=env, capture_output=True, check=True).stdout
        pnm = subprocess.run(["xwdtopnm"], input=xwd, capture_output=True, check=True).stdout
        with open(path, "wb") as f:
            f.write(subprocess.run(["pnmtopng"], input=pnm, capture_output=True, check=True).stdout)
        print(f"step {self.step}: {name} -> {path}", flush=True)

    def fail(self, message):
        print(f"FAILED after step {self.step}: {message}", flush=True)
        try:
            self.shot("failure")
            self.dump(self.app(timeout=2))
        except BaseException:
            pass
        sys.exit(1)

    def dump(self, acc, depth=0):
        """The showing widgets, as the failure's evidence."""
        try:
            if acc is None or depth > 14 or (depth > 1 and not self.showing(acc)):
                return
            print("  " * depth + f"{acc.getRoleName()} '{acc.name}'")
            for i in range(acc.childCount):
                self.dump(acc.getChildAtIndex(i), depth + 1)
        except Exception as e:  # a widget that went away while we looked
            print("  " * depth + f"({e})")


def user_path(s, args):
    s.find("frame", "ThinkBench", prefix=True)
    s.shot("database_open")

    # Pick the run in the Runs panel.
    s.click(s.find("table cell", args.run))
    s.shot("run_picked")

    # The GRPO dashboard: a small chart of the mean reward among the charts GRPO shows by default.
    s.find(None, "accuracy chart", timeout=60)
    s.shot("grpo_charts")

    # Narrow the dashboard to the mean reward with the filter box.
    s.click(s.find("text", "Filter metrics"))
    s.type("^reward/mean$")
    chart = s.find(None, "reward/mean chart")
    s.wait(lambda: s.find_now(None, "accuracy chart") is None, 10, "the filter hiding the other charts")

    # A click on the curve opens that step's samples on the group view: the step's groups and the
    # responses of the first.
    s.click_at(*s.curve_point(chart, 0.6, FIRST_RUN_COLOUR))
    s.find("table", "GRPO groups of the step", timeout=30)
    responses = s.find("table", "GRPO group responses")
    s.shot("group_view")

    # Open a response of the group as the trace and label its current step.
    s.click(s.find("table cell", None, within=responses), double=True)
    s.find("label", "Step 1 of", prefix=True, timeout=20)
    s.key("ctrl+1")
    s.shot("step_labelled")

    # Export the annotations through the panel's file dialog, from the Annotations tab.
    s.click(s.find("page tab", "Annotations"))
    s.find("list item", "correct step", prefix=True, timeout=20)
    export = s.find("push button", "Export JSONL", prefix=True)
    s.scroll_into_view(export, s.find("frame", "Annotations"))
    s.click(export)
    s.find("dialog", None, timeout=20)
    s.key("ctrl+a")
    s.type(args.export)
    time.sleep(2)  # the dialog paints a while after it appears on the bus
    s.shot("export_dialog")
    s.key("Return")
    s.wait(lambda: os.path.exists(args.export) and os.path.getsize(args.export) > 0, 20,
           f"the annotations in {args.export}")
    s.shot("exported")

    # Quit as a user does, from the File menu.
    s.click(s.find("menu item", "File"))
    s.click(s.find("menu item", "Quit"))


def main():
    parser = argparse.ArgumentParser()
    for option in ("--app", "--db", "--run", "--export", "--shots"):
        parser.add_argument(option, required=True)
    args = parser.parse_args()

    server, display = start_x_server()
    env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb", QT_LINUX_ACCESSIBILITY_ALWAYS_ON="1")
    # In a process group of its own: the bus daemon and registry it starts outlive it otherwise and
    # hold the caller's output open.
    bus = subprocess.Popen(["/usr/libexec/at-spi-bus-launcher", "--launch-immediately"], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(1)  # the accessibility bus must exist before the application looks for it
    app = subprocess.Popen([args.app, args.db], env=env)
    try:
        user_path(Session(args, display), args)
        code = app.wait(timeout=20)
        print(f"thinkbench exited with {code}")
        sys.exit(code)
    finally:
        for p in (app, server):
            if p.poll() is None:
                p.kill()
        os.killpg(bus.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
