/* Unit tests of http.c's client addresses (CONTRACT 5.2, --trusted-proxy):
 * CIDR parsing and matching for IPv4 and IPv6, and which address a request
 * is from: the peer, or behind a trusted proxy the rightmost
 * X-Forwarded-For entry that is not itself a trusted proxy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "http.h"

static struct http_cidr blocks[3];
static struct http_config cfg = { .trusted = blocks };

static void trust(const char *a, const char *b, const char *c)
{
	const char *in[3] = { a, b, c };

	cfg.ntrusted = 0;
	for (int i = 0; i < 3 && in[i]; i++)
		assert_int_equal(http_cidr_parse(in[i], &blocks[cfg.ntrusted++], NULL), 0);
}

/* The client of a request from peer (v4 or v6 text) with X-Forwarded-For xff. */
static const char *from(const char *peer, const char *xff, int *loopback)
{
	static struct http_client c;
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	const void *sa = &s4;

	if (inet_pton(AF_INET, peer, &s4.sin_addr) != 1) {
		assert_int_equal(inet_pton(AF_INET6, peer, &s6.sin6_addr), 1);
		sa = &s6;
	}
	assert_int_equal(http_client_resolve(&cfg, sa, xff, &c), 0);
	if (loopback)
		*loopback = c.loopback;
	return c.addr;
}

static void test_cidr_parse(void **state)
{
	struct http_cidr c;
	unsigned char a[16];

	assert_int_equal(http_cidr_parse("10.1.2.3/8", &c, NULL), 0);
	assert_int_equal(c.bits, 104);
	assert_int_equal(c.addr[12], 10);
	assert_int_equal(c.addr[13], 0);	/* host bits cleared */
	assert_int_equal(http_cidr_parse("2001:db8::/32", &c, NULL), 0);
	assert_int_equal(c.bits, 32);
	assert_int_equal(http_cidr_parse("::1", &c, NULL), 0);
	assert_int_equal(c.bits, 128);
	assert_int_equal(http_cidr_parse("0.0.0.0/0", &c, NULL), 0);
	inet_pton(AF_INET6, "::ffff:8.8.8.8", a);
	assert_int_equal(http_cidr_match(&c, 1, a), 1);
	inet_pton(AF_INET6, "2001:db8::1", a);
	assert_int_equal(http_cidr_match(&c, 1, a), 0);	/* 0.0.0.0/0 is IPv4 only */
	assert_int_equal(http_cidr_parse("10.0.0.0/33", &c, NULL), -1);
	assert_int_equal(http_cidr_parse("2001:db8::/129", &c, NULL), -1);
	assert_int_equal(http_cidr_parse("10.0.0.0/", &c, NULL), -1);
	assert_int_equal(http_cidr_parse("10.0.0.0/8x", &c, NULL), -1);
	assert_int_equal(http_cidr_parse("school-proxy", &c, NULL), -1);
	assert_int_equal(http_cidr_parse("", &c, NULL), -1);
	assert_int_equal(http_cidr_parse("/8", &c, NULL), -1);
}

static void test_cidr_match(void **state)
{
	unsigned char a[16];

	trust("192.168.4.0/22", "2001:db8:1::/48", NULL);
	inet_pton(AF_INET6, "::ffff:192.168.7.255", a);
	assert_int_equal(http_cidr_match(blocks, cfg.ntrusted, a), 1);
	inet_pton(AF_INET6, "::ffff:192.168.8.0", a);
	assert_int_equal(http_cidr_match(blocks, cfg.ntrusted, a), 0);
	inet_pton(AF_INET6, "2001:db8:1:ffff::9", a);
	assert_int_equal(http_cidr_match(blocks, cfg.ntrusted, a), 1);
	inet_pton(AF_INET6, "2001:db8:2::9", a);
	assert_int_equal(http_cidr_match(blocks, cfg.ntrusted, a), 0);
}

static void test_untrusted_peer_ignores_xff(void **state)
{
	int lo;

	trust("10.0.0.0/8", NULL, NULL);
	assert_string_equal(from("203.0.113.5", "198.51.100.1", &lo), "203.0.113.5");
	assert_string_equal(from("127.0.0.1", "198.51.100.1", &lo), "127.0.0.1");
	assert_int_equal(lo, 1);
	assert_string_equal(from("::1", NULL, &lo), "::1");
	assert_int_equal(lo, 1);
	assert_string_equal(from("2001:db8::7", "10.0.0.1", &lo), "2001:db8::7");
	assert_int_equal(lo, 0);
}

static void test_trusted_proxy(void **state)
{
	int lo;

	trust("10.0.0.0/8", "127.0.0.1", "fd00::/8");
	/* The proxy itself when it names nobody. */
	assert_string_equal(from("10.1.1.1", NULL, &lo), "10.1.1.1");
	assert_string_equal(from("127.0.0.1", NULL, &lo), "127.0.0.1");
	assert_int_equal(lo, 1);
	/* Rightmost untrusted entry; the client's own left part is not believed. */
	assert_string_equal(from("10.1.1.1", "1.2.3.4, 198.51.100.7", &lo), "198.51.100.7");
	assert_int_equal(lo, 0);
	assert_string_equal(from("10.1.1.1", "198.51.100.7, 10.2.2.2,10.3.3.3", NULL),
	    "198.51.100.7");
	/* A forwarded loopback address from behind a local proxy is not loopback... */
	assert_string_equal(from("127.0.0.1", "198.51.100.7", &lo), "198.51.100.7");
	assert_int_equal(lo, 0);
	/* ... unless it is the proxy chain itself. */
	assert_string_equal(from("127.0.0.1", "127.0.0.1", &lo), "127.0.0.1");
	assert_int_equal(lo, 1);
	/* All trusted: the leftmost. */
	assert_string_equal(from("10.1.1.1", "10.9.9.9, 10.8.8.8", NULL), "10.9.9.9");
	/* Ports and brackets. */
	assert_string_equal(from("10.1.1.1", "198.51.100.7:4711", NULL), "198.51.100.7");
	assert_string_equal(from("10.1.1.1", "[2001:db8::5]:443", NULL), "2001:db8::5");
	assert_string_equal(from("fd00::1", " 2001:db8::6 ", NULL), "2001:db8::6");
	/* IPv4-mapped is IPv4. */
	assert_string_equal(from("::ffff:10.1.1.1", "198.51.100.8", NULL), "198.51.100.8");
	/* Nonsense stops the walk at the last hop we trust. */
	assert_string_equal(from("10.1.1.1", "198.51.100.7, unknown", NULL), "10.1.1.1");
	assert_string_equal(from("10.1.1.1", "", NULL), "10.1.1.1");
	assert_string_equal(from("10.1.1.1", "198.51.100.7,", NULL), "10.1.1.1");
	assert_string_equal(from("10.1.1.1", "1.2.3.4, 10.5.5.5, nonsense, 10.6.6.6", NULL),
	    "10.6.6.6");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cidr_parse),
		cmocka_unit_test(test_cidr_match),
		cmocka_unit_test(test_untrusted_peer_ignores_xff),
		cmocka_unit_test(test_trusted_proxy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
