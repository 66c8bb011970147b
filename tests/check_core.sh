#!/bin/sh
# check_core.sh OBJ... - the pure core (src/core) reaches nothing outside
# itself: no object references a symbol that does I/O, starts or ends a
# process, opens a socket, reads a clock or the environment. A new call to
# the world in src/core fails `make test` here, naming the object and the
# symbol; the fix is to do that work in src/sys or src/cmd.
set -u
[ $# -gt 0 ] || { echo "usage: tests/check_core.sh OBJ..." >&2; exit 2; }
command -v nm >/dev/null || { echo "check_core.sh: nm missing (Debian binutils)" >&2; exit 1; }

forbidden='
open openat open64 creat read write pread pwrite readv writev close lseek fsync fdatasync
fopen fdopen freopen fclose fread fwrite fgets fgetc getc getchar fputs fputc putc putchar puts
printf fprintf vprintf vfprintf dprintf vdprintf perror fflush setvbuf
stat lstat fstat fstatat stat64 lstat64 fstat64 access faccessat
unlink unlinkat rename renameat mkdir mkdirat rmdir opendir fdopendir readdir closedir
chmod fchmod chown fchown symlink readlink link truncate ftruncate flock fcntl ioctl
exit _exit _Exit abort atexit quick_exit
fork vfork execv execve execvp execl posix_spawn system popen waitpid wait kill raise
signal sigaction sigprocmask setsid setpgid
socket connect bind sendto send recvfrom recv poll select getaddrinfo res_mkquery
time clock_gettime gettimeofday sleep usleep nanosleep localtime localtime_r
getenv setenv putenv secure_getenv getuid geteuid getpid getrandom rand srand random
syslog openlog
'
rc=0
for obj in "$@"; do
	syms=$(nm -u "$obj" | awk '{print $2}') || { echo "check_core.sh: nm failed on $obj" >&2; exit 1; }
	for s in $syms; do
		for f in $forbidden; do
			if [ "$s" = "$f" ]; then
				echo "check_core.sh: $obj references $s: the core may not touch the world (move it to src/sys or src/cmd)" >&2
				rc=1
			fi
		done
	done
done
[ $rc -eq 0 ] && echo "check_core: $# core objects reference no I/O, process, socket, clock or exit symbol"
exit $rc
