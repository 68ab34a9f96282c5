#!/usr/bin/perl
# (c) The toggle's AGI dialogue as a classic AGI script: one process per call,
# the environment on stdin until an empty line, then one command per line on
# stdout and Asterisk's reply on stdin. Plain core Perl, no modules: the
# cheapest an interpreted per-call script gets (a PHP script with phpagi loads
# more before its first command). Like the floor, it takes the outcome from
# agi_arg_1 and does no AMI or Redis work at all.
use strict;
use warnings;

$| = 1;
my %agi;
while (defined(my $line = <STDIN>)) {
  chomp $line;
  last if $line eq '';
  my ($key, $value) = split /: /, $line, 2;
  $agi{$key} = $value if defined $value;
}

sub quoted {
  my ($v) = @_;
  $v =~ s/([\\"])/\\$1/g;
  return "\"$v\"";
}

sub agi {
  my ($command) = @_;
  print "$command\n";
  my $reply = <STDIN>;
  # Asterisk announces a hangup with a line of its own before the reply.
  $reply = <STDIN> while defined $reply && $reply eq "HANGUP\n";
  die "no reply to $command\n" unless defined $reply && $reply =~ /^200 /;
  return $reply;
}

my $want = ($agi{agi_arg_1} // '') eq 'LOGGEDIN' ? 'LOGGEDIN' : 'LOGGEDOUT';
my $number = $agi{agi_callerid} // '';
my ($queue) = ($agi{agi_network_script} // '') =~ /[?&]queue=([^&]*)/;
$queue //= '';

# The four variables in one EXEC MSet, as agentgate sends them (commas escaped for MSet).
(my $queues = $want eq 'LOGGEDIN' ? $queue : '') =~ s/,/\\,/g;
agi('EXEC ' . quoted('MSet') . ' ' . quoted("AGENTGATE_RESULT=$want,QUEUESTAT=$want,AGENTGATE_NUMBER=$number,AGENTGATE_QUEUES=$queues"));
if ($want eq 'LOGGEDIN') {
  agi('STREAM FILE ' . quoted('agent-loginok') . ' ""');
  agi('SAY DIGITS ' . quoted($number) . ' ""');
} else {
  agi('STREAM FILE ' . quoted('agent-loggedoff') . ' ""');
}
exit 0;
