// Several channel variables in one AGI round trip: `EXEC MSet "A=1,B=2"`.
//
// Asterisk reads AGI commands one at a time (res_agi.c: fgets() on a buffered
// FILE after poll(), so a second command in the same write waits unread), and
// every command costs a round trip on both sides. A script's answer is three
// to five variables, so they go as one MSet (main/pbx_variables.c) instead of
// one SET VARIABLE each. MSet splits its argument twice, on ',' into pairs and
// on '=' into name and value, each time with __ast_app_separate_args()
// (main/app.c), which also treats quotes, backslashes, parentheses and square
// brackets; and AGIEXECFULL=yes on the channel would expand `${...}` in it. So
// only values made of plain characters go this way, their commas escaped;
// anything else keeps its own SET VARIABLE, which carries any value as is.

/** A variable name MSet and SET VARIABLE read the same way. */
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Characters no pass of __ast_app_separate_args or variable expansion changes (',' is escaped). */
const PLAIN_VALUE = /^[A-Za-z0-9_.:@+/*#,-]*$/;

/** Whether MSet sets exactly `value` under exactly `name`. */
export function msetCarries(name: string, value: string): boolean {
  return PLAIN_NAME.test(name) && PLAIN_VALUE.test(value);
}

/** MSet's argument for `vars`, each of which msetCarries. */
export function msetArgument(vars: readonly (readonly [string, string])[]): string {
  return vars.map(([name, value]) => `${name}=${value.replaceAll(',', '\\,')}`).join(',');
}
