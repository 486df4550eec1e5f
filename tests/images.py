"""Podman with private storage, and a local stand-in for `python:X.Y-slim`.

No container registry can be reached where the tests run, so the base image the
generated Dockerfiles start `FROM` is made here: Debian bookworm from debootstrap, the
runtime libraries of the machine's pyenv CPython, that CPython copied to `/usr/local`,
and the official image's config. It is cached as an oci-archive keyed by a hash of the
recipe below. docs/base-image.md describes it. Standard library only.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import inspect
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
REQUIRED_TOOLS = ("podman", "runc", "debootstrap", "patchelf", "strip")
BUILD_FLAGS = ("--isolation=chroot", "--pull=never", "--format", "docker")

# The recipe of the base image. Everything from here to _RECIPE feeds the cache key.
SUITE = "bookworm"
DEFAULT_MIRROR = "http://deb.debian.org/debian"
DEFAULT_SECURITY_MIRROR = "http://deb.debian.org/debian-security"
# What the official image installs besides the libraries found with ldd.
EXTRA_PACKAGES = ("ca-certificates", "netbase", "tzdata")
MIN_PIP = (24, 2)
PIP_UPGRADE = "pip==25.0.1"
IMAGE_ENV = {
    "PATH": "/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin",
    "LANG": "C.UTF-8",
}
IMAGE_CMD = '["python3"]'
# Like debian:bookworm-slim (debuerreotype's slimify).
DPKG_EXCLUDES = """\
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
"""
APT_CONF = {
    "docker-clean": (
        'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb '
        '/var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };\n'
        'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb '
        '/var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };\n'
        'Dir::Cache::pkgcache "";\nDir::Cache::srcpkgcache "";\n'
    ),
    "docker-autoremove-suggests": 'Apt::AutoRemove::SuggestsImportant "false";\n',
    "docker-gzip-indexes": 'Acquire::GzipIndexes "true";\n',
    "docker-no-languages": 'Acquire::Languages "none";\n',
}
SLIM_PATHS = (
    "usr/share/groff",
    "usr/share/info",
    "usr/share/linda",
    "usr/share/lintian/overrides",
    "usr/share/locale",
    "usr/share/man",
)
LEAN_DIRS = ("test", "tests", "idle_test", "__pycache__")
# Imported inside the finished rootfs before it becomes an image.
SMOKE = (
    "import ssl, sqlite3, ctypes, zlib, lzma, bz2, readline, uuid, _uuid, json, "
    "hashlib, decimal, pyexpat, curses, zoneinfo, venv, ensurepip, pip; "
    "ssl.create_default_context(); zoneinfo.ZoneInfo('Europe/Paris'); print(1)"
)


class PodmanError(subprocess.CalledProcessError):
    """A failed podman (or recipe) command, with its output in the message."""

    def __str__(self) -> str:
        out = (self.stdout or "")[-2000:]
        err = (self.stderr or "")[-4000:]
        return f"{super().__str__()}\n--- stdout\n{out}\n--- stderr\n{err}"


def _run(
    argv: Sequence[str],
    *,
    check: bool = True,
    timeout: float | None = 600,
    env: dict[str, str] | None = None,
    cwd: str | Path | None = None,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        list(argv),
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=cwd,
        input=input,
        stdin=None if input is not None else subprocess.DEVNULL,
    )
    if check and result.returncode != 0:
        raise PodmanError(result.returncode, list(argv), result.stdout, result.stderr)
    return result


def missing_tools() -> list[str]:
    """Name the commands the image tests need that are not on PATH."""
    return [tool for tool in REQUIRED_TOOLS if shutil.which(tool) is None]


class Podman:
    """The podman CLI on storage, config and run state private to `state_dir`.

    Two config files are written: `containers.conf` for everything, and
    `containers-build.conf`, the same plus a read-only mount of the host's CA bundle,
    used only by `build()` so that pip inside `RUN` trusts this network's TLS proxy.
    A `volumes` entry in containers.conf is applied to `podman run` as well, which would
    hide an image that lacks CA certificates, so the runtime config has none.
    """

    def __init__(self, state_dir: str | Path, executable: str = "podman") -> None:
        self.state_dir = Path(state_dir).resolve()
        self.executable = executable
        self.root = self.state_dir / "storage"
        # Podman refuses a runroot longer than 50 characters, so run state (which must
        # not outlive a reboot anyway) goes to a short path keyed by the state dir.
        self.runroot = _run_dir(self.state_dir) / "run"
        self.tmpdir = _run_dir(self.state_dir) / "tmp"
        self.conf = self.state_dir / "containers.conf"
        self.build_conf = self.state_dir / "containers-build.conf"
        self.storage_conf = self.state_dir / "storage.conf"
        for path in (self.root, self.runroot, self.tmpdir):
            path.mkdir(parents=True, exist_ok=True)
        base = (
            "[containers]\n"
            'default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]\n'
            "{volumes}"
            "\n[engine]\n"
            'runtime = "runc"\n'
            'cgroup_manager = "cgroupfs"\n'
            'events_logger = "file"\n'
            f'tmp_dir = "{self.tmpdir}"\n'
        )
        _write_if_changed(self.conf, base.format(volumes=""))
        _write_if_changed(
            self.build_conf,
            base.format(volumes=f'volumes = ["{CA_BUNDLE}:{CA_BUNDLE}:ro"]\n'),
        )
        _write_if_changed(
            self.storage_conf,
            f'[storage]\ndriver = "overlay"\ngraphroot = "{self.root}"\n'
            f'runroot = "{self.runroot}"\n',
        )

    def argv(self, *args: str) -> list[str]:
        """The full command line for `podman ARGS` on the private storage."""
        return [
            self.executable,
            "--root",
            str(self.root),
            "--runroot",
            str(self.runroot),
            "--storage-driver",
            "overlay",
            "--tmpdir",
            str(self.tmpdir),
            *args,
        ]

    def env(self, build: bool = False) -> dict[str, str]:
        """The environment for running podman (also for tests that use Popen)."""
        env = dict(os.environ)
        env["CONTAINERS_CONF"] = str(self.build_conf if build else self.conf)
        env["CONTAINERS_STORAGE_CONF"] = str(self.storage_conf)
        return env

    def run(
        self,
        *args: str,
        check: bool = True,
        timeout: float | None = 600,
        input: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run `podman ARGS` with text output captured; PodmanError if check fails."""
        return _run(self.argv(*args), check=check, timeout=timeout, env=self.env(), input=input)

    def build(
        self,
        context_dir: str | Path,
        tag: str,
        *,
        dockerfile: str | Path | None = None,
        build_args: dict[str, str] | None = None,
        extra_args: Sequence[str] = (),
        check: bool = True,
        timeout: float | None = 900,
    ) -> subprocess.CompletedProcess[str]:
        """`podman build` the context into `tag`, never pulling, in docker format."""
        args = ["build", *BUILD_FLAGS, "-t", tag]
        if dockerfile is not None:
            args += ["-f", str(dockerfile)]
        for key, value in (build_args or {}).items():
            args += ["--build-arg", f"{key}={value}"]
        args += [*extra_args, str(context_dir)]
        return _run(self.argv(*args), check=check, timeout=timeout, env=self.env(build=True))

    def image_exists(self, ref: str) -> bool:
        return self.run("image", "exists", ref, check=False).returncode == 0

    def image_id(self, ref: str) -> str | None:
        """The full image ID of `ref`, or None if there is no such image."""
        result = self.run("image", "inspect", "--format", "{{.Id}}", ref, check=False)
        if result.returncode != 0:
            return None
        return result.stdout.strip() or None

    def image_size(self, ref: str) -> int:
        """The image's size in bytes, as `podman image inspect` reports it."""
        return int(self.run("image", "inspect", "--format", "{{.Size}}", ref).stdout)

    def remove(self, *containers: str) -> None:
        """Remove containers by name or ID, running or not; ignore missing ones."""
        if containers:
            self.run("rm", "-f", "-t", "0", *containers, check=False, timeout=120)


def _run_dir(state_dir: Path) -> Path:
    key = hashlib.sha256(str(state_dir).encode()).hexdigest()[:12]
    base = Path("/run") if os.access("/run", os.W_OK) else Path(tempfile.gettempdir())
    return base / "twelve-podman" / key


def _write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text() != text:
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(text)
        tmp.replace(path)


# --- the base image -----------------------------------------------------------------


def find_cpython(python_version: str) -> Path | None:
    """The pyenv build for `X.Y` (newest patch) or `X.Y.Z`, or None if absent.

    The pyenv shims fail for versions that are not global, so the version directories
    are used directly.
    """
    versions = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    minor = ".".join(python_version.split(".")[:2])
    found = []
    for path in versions.glob(f"{minor}.*"):
        if (
            re.fullmatch(rf"{re.escape(minor)}\.\d+", path.name)
            and (path / "bin" / f"python{minor}").is_file()
        ):
            found.append((tuple(int(p) for p in path.name.split(".")), path))
    if python_version.count(".") == 2:
        found = [f for f in found if f[1].name == python_version]
    return max(found)[1] if found else None


def _debian_mirrors() -> tuple[str, str]:
    """The (main, security) mirror URLs that apt on this machine uses for bookworm."""
    main = security = None
    apt = Path("/etc/apt")
    files = [apt / "sources.list", *sorted((apt / "sources.list.d").glob("*"))]
    entries: list[tuple[list[str], list[str]]] = []  # (uris, suites)
    for path in files:
        if not path.is_file():
            continue
        text = path.read_text(errors="replace")
        if path.suffix == ".sources":
            for para in re.split(r"\n\s*\n", text):
                fields: dict[str, str] = {}
                for line in para.splitlines():
                    if ":" in line and not line.startswith(("#", " ")):
                        key, value = line.split(":", 1)
                        fields[key.strip().lower()] = value.strip()
                if "deb" in fields.get("types", "").split():
                    entries.append(
                        (
                            fields.get("uris", "").split(),
                            fields.get("suites", "").split(),
                        )
                    )
        elif path.suffix == ".list":
            for line in text.splitlines():
                words = re.sub(r"\[.*?\]", " ", line).split()
                if len(words) >= 3 and words[0] == "deb":
                    entries.append(([words[1]], [words[2]]))
    for uris, suites in entries:
        if uris and uris[0].startswith("http"):
            if SUITE in suites and main is None:
                main = uris[0].rstrip("/")
            if f"{SUITE}-security" in suites and security is None:
                security = uris[0].rstrip("/")
    return main or DEFAULT_MIRROR, security or DEFAULT_SECURITY_MIRROR


def _elf_files(root: Path) -> Iterator[Path]:
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                if handle.read(4) == b"\x7fELF":
                    yield path


def _runtime_packages(cpython: Path, minor: str) -> list[str]:
    """Debian packages holding the libraries CPython's binaries link (as ldd finds)."""
    libs: set[str] = set()
    elves = [
        cpython / "bin" / f"python{minor}",
        *(cpython / "lib").glob("libpython*.so*"),
        *(cpython / "lib" / f"python{minor}" / "lib-dynload").glob("*.so"),
    ]
    for elf in elves:
        # Like the official image, tkinter's X11/Tk libraries are left out.
        if "tkinter" not in elf.name and not elf.is_symlink():
            libs |= _ldd(elf)
    libs = {lib for lib in libs if not lib.startswith(str(cpython))}
    packages: set[str] = set()
    for lib in sorted(libs):
        candidates = {lib, os.path.realpath(lib)}
        for path in list(candidates):
            candidates.add(path[4:] if path.startswith("/usr/") else "/usr" + path)
        result = _run(["dpkg-query", "-S", *sorted(candidates)], check=False)
        owners = {line.split(":")[0] for line in result.stdout.splitlines() if ": /" in line}
        if not owners:
            raise RuntimeError(f"no Debian package owns {lib}")
        packages |= owners
    return sorted(packages | set(EXTRA_PACKAGES))


def _ldd(path: Path) -> set[str]:
    result = _run(["ldd", str(path)], check=False)
    found = set()
    for line in result.stdout.splitlines():
        match = re.match(r"\s*(\S+) => (\S+)", line)
        if match:
            if match.group(2) == "not":
                raise RuntimeError(f"{path}: {match.group(1)} not found")
            found.add(match.group(2))
    return found


def _chroot(rootfs: Path, *command: str, timeout: float = 600) -> str:
    env = {
        "PATH": IMAGE_ENV["PATH"],
        "LANG": IMAGE_ENV["LANG"],
        "HOME": "/root",
        "DEBIAN_FRONTEND": "noninteractive",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    return _run(["chroot", str(rootfs), *command], env=env, timeout=timeout).stdout


def _make_debian(rootfs: Path, packages: list[str], cache: Path) -> None:
    """A bookworm minbase rootfs with `packages`, updated and slimmed like -slim."""
    main, security = _debian_mirrors()
    cache.mkdir(parents=True, exist_ok=True)
    _run(
        [
            "debootstrap",
            "--variant=minbase",
            f"--include={','.join(packages)}",
            f"--cache-dir={cache}",
            SUITE,
            str(rootfs),
            main,
        ],
        timeout=1200,
    )
    (rootfs / "etc/dpkg/dpkg.cfg.d/docker").write_text(DPKG_EXCLUDES)
    for name, text in APT_CONF.items():
        (rootfs / "etc/apt/apt.conf.d" / name).write_text(text)
    (rootfs / "etc/apt/sources.list").unlink(missing_ok=True)
    (rootfs / "etc/apt/sources.list.d/debian.sources").write_text(
        f"Types: deb\nURIs: {main}\nSuites: {SUITE} {SUITE}-updates\nComponents: main\n"
        "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n"
        f"Types: deb\nURIs: {security}\nSuites: {SUITE}-security\nComponents: main\n"
        "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
    )
    # The host's resolver config lets apt in the chroot reach the (plain HTTP) mirror.
    shutil.copy("/etc/resolv.conf", rootfs / "etc/resolv.conf")
    _chroot(rootfs, "apt-get", "update", "-qq")
    _chroot(
        rootfs,
        "apt-get",
        "-y",
        "-qq",
        "-o",
        "Dpkg::Options::=--force-confold",
        "upgrade",
    )
    _chroot(rootfs, "apt-get", "clean")
    (rootfs / "etc/resolv.conf").write_text("")
    (rootfs / "etc/hostname").write_text("localhost\n")
    _slim_debian(rootfs)


def _slim_debian(rootfs: Path) -> None:
    doc = rootfs / "usr/share/doc"
    for path in doc.rglob("*") if doc.is_dir() else ():
        if (path.is_file() or path.is_symlink()) and path.name != "copyright":
            path.unlink()
    for path in sorted(doc.rglob("*"), reverse=True) if doc.is_dir() else ():
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    for rel in SLIM_PATHS:
        target = rootfs / rel
        if target.is_dir():
            for child in target.iterdir():
                _remove(child)
    for pattern in (
        "var/lib/apt/lists/*",
        "var/cache/apt/*.bin",
        "var/cache/apt/archives/*.deb",
        "var/cache/debconf/*-old",
        "var/lib/dpkg/*-old",
        "var/log/*.log",
        "var/log/apt/*",
        "tmp/*",
        "var/tmp/*",
        "root/.*history",
    ):
        for path in rootfs.glob(pattern):
            if path.name != "lock" and path.name != "partial":
                _remove(path)
    (rootfs / "etc/machine-id").unlink(missing_ok=True)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _install_cpython(rootfs: Path, cpython: Path, minor: str) -> None:
    """Copy the pyenv build to /usr/local: stdlib, headers, binaries, no add-ons."""
    local = rootfs / "usr/local"
    ignore = shutil.ignore_patterns(*LEAN_DIRS, "*.pyc", "*.pyo", "libpython*.a")
    for rel in ("include", "lib/pkgconfig", f"lib/python{minor}"):
        if (cpython / rel).is_dir():
            shutil.copytree(
                cpython / rel,
                local / rel,
                symlinks=True,
                ignore=ignore,
                dirs_exist_ok=True,
            )
    site = local / f"lib/python{minor}/site-packages"
    for child in site.iterdir():  # the host's packages, not the image's
        if child.name != "README.txt":
            _remove(child)
    for lib in (cpython / "lib").glob("libpython*.so*"):
        shutil.copy2(lib, local / "lib", follow_symlinks=False)
    for name in (
        f"python{minor}",
        f"python{minor}-config",
        f"pydoc{minor}",
        f"idle{minor}",
        f"2to3-{minor}",
    ):
        if (cpython / "bin" / name).is_file():
            shutil.copy2(cpython / "bin" / name, local / "bin" / name)
    old = str(cpython).encode()
    for elf in _elf_files(local):
        # Object files (config-3.X/python.o) have no rpath: patchelf refuses them.
        rpath = _run(["patchelf", "--print-rpath", str(elf)], check=False).stdout
        if old.decode() in rpath:
            rel = os.path.relpath(local / "lib", elf.parent)
            _run(["patchelf", "--set-rpath", f"$ORIGIN/{rel}", str(elf)])
        # The official build links with -Wl,--strip-all; pyenv's keeps debug info.
        with elf.open("rb") as handle:
            elf_type = handle.read(18)[16]
        if elf_type in (2, 3):  # executables and shared objects, not python.o
            _run(["strip", "--strip-all", str(elf)])
    for path in local.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        data = path.read_bytes()
        if old in data and b"\0" not in data:
            path.write_bytes(data.replace(old, b"/usr/local"))
    _chroot(rootfs, "ldconfig")


def _install_pip(rootfs: Path, cpython: Path, minor: str, work: Path) -> None:
    """ensurepip, then a newer pip from PyPI (host download) if that is too old.

    The newer wheel also replaces the one ensurepip bundles, as in a current official
    image, so that `python -m venv` in a Dockerfile gets a pip that trusts the system
    CA store too.
    """
    python = f"/usr/local/bin/python{minor}"
    _chroot(rootfs, python, "-m", "ensurepip", "--default-pip")
    version = _chroot(rootfs, python, "-c", "import pip; print(pip.__version__)").strip()
    if tuple(int(p) for p in re.findall(r"\d+", version)[:2]) < MIN_PIP:
        wheels = work / "wheels"
        _run(
            [
                str(cpython / "bin" / f"python{minor}"),
                "-m",
                "pip",
                "download",
                "-q",
                "--no-deps",
                "--only-binary=:all:",
                "-d",
                str(wheels),
                PIP_UPGRADE,
            ],
            timeout=300,
        )
        (wheel,) = wheels.glob("pip-*.whl")
        shutil.copy(wheel, rootfs / "tmp" / wheel.name)
        _chroot(
            rootfs,
            python,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-index",
            "--no-deps",
            "--no-cache-dir",
            "--root-user-action=ignore",
            f"/tmp/{wheel.name}",
        )
        (rootfs / "tmp" / wheel.name).unlink()
        ensurepip = rootfs / "usr" / "local" / "lib" / f"python{minor}" / "ensurepip"
        for bundled in (ensurepip / "_bundled").glob("pip-*.whl"):
            bundled.unlink()
        shutil.copy(wheel, ensurepip / "_bundled" / wheel.name)
        new_version = wheel.name.split("-")[1]
        init = ensurepip / "__init__.py"
        init.write_text(
            re.sub(r'_PIP_VERSION = "[^"]+"', f'_PIP_VERSION = "{new_version}"', init.read_text())
        )


def _finish_cpython(rootfs: Path, minor: str) -> None:
    """The official image's symlinks, then no tests, no bytecode."""
    bin_dir = rootfs / "usr/local/bin"
    links = [
        ("python3", f"python{minor}"),
        ("python", "python3"),
        ("python3-config", f"python{minor}-config"),
        ("python-config", "python3-config"),
        ("pydoc3", f"pydoc{minor}"),
        ("pydoc", "pydoc3"),
        ("idle3", f"idle{minor}"),
        ("idle", "idle3"),
        ("2to3", f"2to3-{minor}"),
        ("pip3", f"pip{minor}"),
        ("pip", "pip3"),
    ]
    for link, target in links:
        path = bin_dir / link
        if (bin_dir / target).exists() and not path.exists() and not path.is_symlink():
            path.symlink_to(target)
    for path in sorted((rootfs / "usr/local").rglob("*"), reverse=True):
        if path.is_dir() and not path.is_symlink() and path.name in LEAN_DIRS:
            shutil.rmtree(path)
        elif path.suffix in (".pyc", ".pyo") and path.is_file():
            path.unlink()
    for path in (rootfs / "tmp", rootfs / "root"):
        for child in path.glob("*"):
            _remove(child)
    for child in (rootfs / "root").glob(".cache"):
        _remove(child)


def _build_rootfs(rootfs: Path, cpython: Path, minor: str, work: Path, cache: Path) -> None:
    _make_debian(rootfs, _runtime_packages(cpython, minor), cache)
    _install_cpython(rootfs, cpython, minor)
    _install_pip(rootfs, cpython, minor, work)
    _finish_cpython(rootfs, minor)
    if _chroot(rootfs, "python3", "-c", SMOKE).strip() != "1":
        raise RuntimeError("the new rootfs failed its smoke test")
    # Bytecode written by the smoke test.
    for path in list((rootfs / "usr/local").rglob("__pycache__")):
        shutil.rmtree(path)


def _import(podman: Podman, rootfs: Path, tarball: Path, tag: str, full: str) -> str:
    _run(
        [
            "tar",
            "--numeric-owner",
            "--xattrs",
            "-C",
            str(rootfs),
            "-cf",
            str(tarball),
            "--exclude=./dev/*",
            "--exclude=./proc/*",
            "--exclude=./sys/*",
            ".",
        ],
        timeout=600,
    )
    env = {**IMAGE_ENV, "PYTHON_VERSION": full}
    changes: list[str] = []
    for key, value in env.items():
        changes += ["--change", f"ENV {key}={value}"]
    changes += ["--change", f"CMD {IMAGE_CMD}"]
    podman.run("import", *changes, str(tarball), tag, timeout=600)
    return podman.image_id(tag) or ""


_RECIPE = (
    _debian_mirrors,
    _runtime_packages,
    _ldd,
    _chroot,
    _make_debian,
    _slim_debian,
    _install_cpython,
    _install_pip,
    _finish_cpython,
    _build_rootfs,
    _import,
)


def recipe_key(python_version: str, full_version: str) -> str:
    """Hash of the recipe (constants and code) and the Python it packages."""
    digest = hashlib.sha256()
    constants = [
        SUITE,
        EXTRA_PACKAGES,
        MIN_PIP,
        PIP_UPGRADE,
        IMAGE_ENV,
        IMAGE_CMD,
        DPKG_EXCLUDES,
        APT_CONF,
        SLIM_PATHS,
        LEAN_DIRS,
        SMOKE,
    ]
    digest.update(repr(constants).encode())
    for function in _RECIPE:
        digest.update(inspect.getsource(function).encode())
    digest.update(f"{python_version}|{full_version}".encode())
    return digest.hexdigest()[:16]


def base_image_tag(python_version: str) -> str:
    return f"docker.io/library/python:{python_version}-slim"


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on a file, across processes (the xdist workers too)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _discard(path: Path) -> None:
    """Remove a build directory, first unmounting anything debootstrap left in it."""
    prefix = str(path.resolve()) + "/"
    with open("/proc/self/mountinfo") as handle:
        points = [line.split()[4] for line in handle]
    for point in sorted((p for p in points if p.startswith(prefix)), reverse=True):
        _run(["umount", "-l", point], check=False)
    shutil.rmtree(path, ignore_errors=True)


def ensure_base_image(podman: Podman, python_version: str) -> str:
    """Make sure `docker.io/library/python:{python_version}-slim` exists; the tag.

    Order: the image already in storage and made by this recipe; else loaded from the
    cached oci-archive `<state>/base-images/python-<X.Y.Z>-slim-<key>.oci.tar`; else
    built (a few minutes) and saved there. Raises RuntimeError when no pyenv build of
    that version exists; check `missing_tools()` first for the commands.
    """
    tag = base_image_tag(python_version)
    cpython = find_cpython(python_version)
    if cpython is None:
        raise RuntimeError(f"no pyenv CPython {python_version} to make {tag} from")
    full, minor = cpython.name, ".".join(cpython.name.split(".")[:2])
    cache = podman.state_dir / "base-images"
    key = recipe_key(python_version, full)
    archive = cache / f"python-{full}-slim-{key}.oci.tar"
    record = cache / f"python-{python_version}-slim.json"
    with locked(cache / ".lock"):
        wanted = json.loads(record.read_text()) if record.exists() else {}
        stale = podman.image_id(tag)
        if stale and wanted.get("key") == key and wanted.get("id") == stale:
            return tag
        for leftover in cache.glob("build-*"):  # from a run that was killed
            _discard(leftover)
        if archive.exists():
            loaded = podman.run("load", "-q", "-i", str(archive), timeout=600).stdout
            ref = loaded.strip().splitlines()[-1].split(": ", 1)[-1].strip()
            image_id = podman.image_id(ref) or podman.image_id(tag)
            if image_id is None:
                raise RuntimeError(f"podman load {archive} gave no image: {loaded}")
            podman.run("tag", image_id, tag)
            if ref != tag and not ref.startswith("sha256:") and ref != image_id:
                podman.run("untag", image_id, ref, check=False)
        else:
            work = Path(tempfile.mkdtemp(prefix="build-", dir=cache))
            try:
                rootfs = work / "rootfs"
                _build_rootfs(rootfs, cpython, minor, work, cache / "debs")
                image_id = _import(podman, rootfs, work / "rootfs.tar", tag, full)
                shutil.rmtree(rootfs)
                partial = work / "image.oci.tar"
                podman.run(
                    "save",
                    "--format",
                    "oci-archive",
                    "-o",
                    str(partial),
                    tag,
                    timeout=600,
                )
                partial.replace(archive)
            finally:
                _discard(work)
            for old in cache.glob(f"python-{minor}.*-slim-*.oci.tar"):
                if old != archive:
                    old.unlink()
        if stale and stale != image_id:  # made by an older recipe; kept if still used
            podman.run("rmi", stale, check=False)
        _write_if_changed(record, json.dumps({"key": key, "id": image_id}) + "\n")
    return tag
