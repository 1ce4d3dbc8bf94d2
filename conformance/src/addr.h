/* addr.h - "HOST:PORT" for the pgw command's sockets (record, replay). */
#ifndef PGW_CLI_ADDR_H
#define PGW_CLI_ADDR_H

#include <netinet/in.h>

/* Parse an IPv4 "HOST:PORT" ("localhost" means 127.0.0.1) into *sa.
 * Returns 0, or -1 if the text is not such an address. */
int cli_parse_addr(const char *text, struct sockaddr_in *sa);

#endif
