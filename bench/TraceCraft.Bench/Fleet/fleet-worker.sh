#!/usr/bin/env bash
# One worker of the fleet benchmark (bench/TraceCraft.Bench/Scenarios/FleetScenario.cs): a loop of
#   tracecraft claim --next --lease L  ->  work (sleep the ms the step id ends with, -w<ms>)  ->  tracecraft complete STEP --token N
# until the driver creates the done file. Exit 3 from claim --next (nothing ready) means: sleep briefly, ask again.
# The worker notes the claim it is working on in a state file before working and removes it after completing: a worker
# restarted after a crash (kill -9) first takes that step back with `tracecraft claim STEP --lease L`, which succeeds
# once the dead claim's lease has expired (the engine's takeover: compare-and-set, token + 1), then works and completes
# it with the new token. Every command's outcome is appended to the log, which the driver reads (times: $EPOCHREALTIME).
# Configuration comes from the environment: TRACECRAFT_CONFIG, TRACECRAFT_AGENT, TRACECRAFT_HOME.
set -u
exe=$1 lease=$2 log=$3 state=$4 done=$5 idle=$6
err="$log.err"

fence() {
  local line
  while IFS= read -r line; do
    if [[ $line == "Fencing token: "* ]]; then line=${line#Fencing token: }; echo "${line%% *}"; return; fi
  done < "$err"
  echo "-"
}

first_error() { local line; IFS= read -r line < "$err"; echo "${line//[$'\t\r\n']/ }"; }

work_and_complete() { # step token
  local step=$1 token=$2 ms t0 rc
  ms=${step##*-w}
  sleep "$(printf '%d.%03d' $((10#$ms / 1000)) $((10#$ms % 1000)))"
  t0=$EPOCHREALTIME
  "$exe" complete "$step" --token "$token" > /dev/null 2> "$err"; rc=$?
  if (( rc == 0 )); then echo "complete 0 $t0 $EPOCHREALTIME $step $token" >> "$log"; else echo "complete $rc $t0 $EPOCHREALTIME $step $token $(first_error)" >> "$log"; fi
  rm -f "$state"
}

if [[ -s $state ]]; then
  read -r held _ < "$state"
  while [[ ! -e $done ]]; do
    t0=$EPOCHREALTIME
    "$exe" claim "$held" --lease "$lease" > /dev/null 2> "$err"; rc=$?
    t1=$EPOCHREALTIME
    if (( rc == 0 )); then
      token=$(fence)
      echo "$held $token" > "$state"
      echo "recover 0 $t0 $t1 $held $token" >> "$log"
      work_and_complete "$held" "$token"
      break
    fi
    msg=$(first_error)
    # Finished meanwhile (someone else took it over and completed it): nothing to take back.
    if [[ $msg == *"cannot be claimed or completed again"* ]]; then echo "recover $rc $t0 $t1 $held - $msg" >> "$log"; rm -f "$state"; break; fi
    sleep 0.25
  done
fi

while [[ ! -e $done ]]; do
  t0=$EPOCHREALTIME
  out=$("$exe" claim --next --lease "$lease" 2> "$err"); rc=$?
  t1=$EPOCHREALTIME
  if (( rc == 3 )); then echo "idle 3 $t0 $t1" >> "$log"; sleep "$idle"; continue; fi
  if (( rc != 0 )); then echo "claim $rc $t0 $t1 - - $(first_error)" >> "$log"; sleep "$idle"; continue; fi
  step=${out#Claimed step }; step=${step%% as *}
  token=$(fence)
  echo "$step $token" > "$state"   # before the log line: a worker killed once the driver saw it working can take it back
  echo "claim 0 $t0 $t1 $step $token" >> "$log"
  work_and_complete "$step" "$token"
done
