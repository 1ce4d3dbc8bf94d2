/* rules_cmd.h - `pgw rules [--markdown]`: print the rule table. */
#ifndef PGW_CLI_RULES_H
#define PGW_CLI_RULES_H

/* Returns the exit status. */
int cli_rules(int markdown);

#endif /* PGW_CLI_RULES_H */
