"""The control socket's peer check (SO_PEERCRED): root and the daemon's own
user always; another user only through allow_users, or allow_groups against
the peer's groups; an unknown name refuses the config (at start: exit 2; on
reload: refused with the reason, the old lists stay). The socket's file mode
is opened up in this test so the kernel lets the other user connect and the
daemon's own check is what decides."""
import grp, json, os, pwd, re, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_lib import BIN, Daemon, check, finish, dump_log_on_failure  # noqa: E402

NOBODY = pwd.getpwnam("nobody").pw_uid
NOGROUP = grp.getgrnam("nogroup").gr_gid
OTHER_GROUP = grp.getgrnam("daemon").gr_gid


def as_user(d, uid, gid, *args):
    r = subprocess.run(["setpriv", "--reuid=%d" % uid, "--regid=%d" % gid, "--clear-groups",
                        BIN + "/crawlctl", "-s", d.sock, "--json"] + list(args),
                       capture_output=True, text=True, timeout=30)
    return r.returncode, r.stdout, r.stderr


def set_allow(d, users, groups):
    with open(d.conf) as f:
        text = f.read()
    text = re.sub(r"(?m)^allow_(users|groups) = .*\n", "", text)
    text = text.replace("[daemon]\n", "[daemon]\nallow_users = %s\nallow_groups = %s\n"
                        % (users, groups), 1)
    with open(d.conf, "w") as f:
        f.write(text)


def open_up(d):
    os.chmod(d.dir, 0o755)
    os.chmod(d.sock, 0o666)


d = Daemon("access", workers=1)
try:
    d.start()
    open_up(d)
    rc, out, err = as_user(d, NOBODY, NOGROUP, "status")
    check(rc == 1 and "permission denied" in err and str(NOBODY) in err,
          "another user is refused by default: rc=%d %s" % (rc, err.strip()))
    check(d.status()["control"]["refused"] >= 1, "the refusal is counted")

    set_allow(d, "nobody", "")
    rc, out, err = d.ctl("reload")
    check(rc == 0, "reload with allow_users = nobody: %s" % err)
    rc, out, err = as_user(d, NOBODY, NOGROUP, "status")
    check(rc == 0 and json.loads(out)["pid"] == d.proc.pid, "allow_users lets nobody in: %s" % err)

    set_allow(d, "", "nogroup")
    rc, out, err = d.ctl("reload")
    check(rc == 0, "reload with allow_groups = nogroup: %s" % err)
    rc, out, err = as_user(d, NOBODY, NOGROUP, "status")
    check(rc == 0, "a peer in an allowed group is let in: %s" % err)
    rc, out, err = as_user(d, NOBODY, OTHER_GROUP, "status")
    check(rc == 1 and "permission denied" in err, "a peer in no allowed group is refused: %s"
          % err.strip())
    check(os.stat(d.sock).st_gid == NOGROUP, "the socket file now belongs to the allowed group")

    set_allow(d, "no-such-user-here", "")
    rc, out, err = d.ctl("reload")
    check(rc == 1 and "no-such-user-here" in err, "an unknown user refuses the reload: %s"
          % err.strip())
    rc, out, err = as_user(d, NOBODY, NOGROUP, "status")
    check(rc == 0, "the running lists stay after a refused reload: %s" % err)
    check(d.stop() == 0, "crawld exits 0")

    r = subprocess.run([BIN + "/crawld", "-c", d.conf, "--check-config"], capture_output=True,
                       text=True, timeout=30)
    check(r.returncode == 2 and "allow_users: no user \"no-such-user-here\"" in r.stderr,
          "an unknown user is a config error at start: %r" % r.stderr)
finally:
    dump_log_on_failure(d)
    check(d.cleanup(), "no worker left behind")
finish("control_access")
