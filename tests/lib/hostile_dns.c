/* hostile_dns.c - a DNS server for tests that answers every query with
 * names no real dnsmasq sends: a CNAME (and for SRV a target) whose first
 * label holds an escape sequence (ESC ] 0 ; ... BEL), a UTF-8 C1 CSI
 * (0xC2 0x9B) and a raw 0x9B byte. dnsdrop must show them escaped, never
 * raw. Usage: hostile_dns PORT (127.0.0.1); serves until killed, at most
 * 10 minutes (a test that forgets it cannot leave it running). */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

static const char evil[] = "\033]0;pwned\007\302\233x\2332J";

/* Append a name: the evil label, then "example", "com". */
static size_t put_name(unsigned char *p)
{
	size_t n = 0, k = sizeof evil - 1;

	p[n++] = (unsigned char)k;
	memcpy(p + n, evil, k);
	n += k;
	memcpy(p + n, "\007example\003com\000", 13);
	return n + 13;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	unsigned char q[512], r[1024];
	struct sockaddr_in from;
	socklen_t fl;
	ssize_t n;
	size_t qend, len, rd;
	int fd;

	if (argc != 2)
		return 2;
	alarm(600);
	a.sin_port = htons((uint16_t)atoi(argv[1]));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		perror("hostile_dns");
		return 1;
	}
	for (;;) {
		fl = sizeof from;
		n = recvfrom(fd, q, sizeof q, 0, (struct sockaddr *)&from, &fl);
		if (n < 17)
			continue;
		for (qend = 12; qend < (size_t)n && q[qend]; qend += q[qend] + 1)
			;
		qend += 5;	/* the root label, QTYPE, QCLASS */
		if (qend > (size_t)n)
			continue;
		memcpy(r, q, qend);
		r[2] = 0x84 | (q[2] & 1);	/* QR, AA, RD as asked */
		r[3] = 0x80;
		r[6] = 0, r[7] = 1;		/* one answer */
		r[8] = r[9] = r[10] = r[11] = 0;
		len = qend;
		memcpy(r + len, "\300\014", 2);	/* the question's name */
		len += 2;
		/* SRV asked: an SRV record, else a CNAME */
		if (q[qend - 4] == 0 && q[qend - 3] == 33) {
			memcpy(r + len, "\000\041\000\001\000\000\000\074", 8);
			len += 10;
			memcpy(r + len, "\000\012\000\012\040\373", 6);
			rd = 6 + put_name(r + len + 6);
		} else {
			memcpy(r + len, "\000\005\000\001\000\000\000\074", 8);
			len += 10;
			rd = put_name(r + len);
		}
		r[len - 2] = (unsigned char)(rd >> 8);
		r[len - 1] = (unsigned char)rd;
		len += rd;
		sendto(fd, r, len, 0, (struct sockaddr *)&from, fl);
	}
}
