# The script part of TraceCraft: the `tracecraft` command, which keeps the original CLI's syntax.
# Commands are module-qualified so that a user's function of the same name cannot hijack them.

function tracecraft {
    <#
    .SYNOPSIS
    Runs a TraceCraft command line with the original CLI's verbs, output lines and exit codes.

    .DESCRIPTION
    Accepts the syntax of the original Python `tracecraft` CLI (tracecraft claim design, tracecraft memory set k v,
    tracecraft complete design --note "done", tracecraft wait-for a b --timeout 60, ...). Output lines are written to
    the pipeline (stdout when run as `pwsh -NoProfile -Command "tracecraft ..."`), errors as "Error: <message>" to
    standard error. $LASTEXITCODE is 0 on success, 1 on failure, 2 on a usage error and 3 when claim --next finds no
    ready step, and a failed call sets $? to $false, so `pwsh -Command` exits with 1. Run `tracecraft --help` for the
    verbs.

    Every argument reaches the command line as text, as it would reach a native executable: -o, -D, -e, -Verbose,
    -ErrorAction and the like are not PowerShell's common parameters here (tracecraft memory set dbg -D hands -D to the
    CLI, which reports it). An array argument (a,b) is passed joined with commas, as PowerShell passes it to a native
    program. PowerShell itself removes a bare -- before any function sees it: quote it ('--') to end the options. To
    see each store request, run the same command line with Invoke-TraceCraft ... -Verbose (or set the global
    $VerbosePreference to 'Continue').

    With --json anywhere on the line, the result is one JSON document (one string on the pipeline; pipe it to
    ConvertFrom-Json) and an error is one JSON line on standard error; see docs/json-output.md.

    .EXAMPLE
    tracecraft claim design
    Claimed step design as designer

    .EXAMPLE
    pwsh -NoProfile -Command "tracecraft memory get design.status"; echo $?
    Calls the module from bash; the exit code is 1 when the key is missing.

    .EXAMPLE
    (tracecraft claim --next --lease 600 --json | ConvertFrom-Json).claimed.token
    Claims a ready step and reads the fencing token of the claim from the JSON result.
    #>

    # Deliberately a simple function (no [CmdletBinding()], no param block): see ScriptFunctionStatus.cs for why,
    # and for how it still marks a failed call.
    $all = [System.Collections.Generic.List[string]]::new()
    for ($i = 0; $i -lt $args.Count; $i++) {
        if ($null -eq $args[$i]) { continue }
        if ($args[$i] -is [array]) { $all.Add($args[$i] -join ','); continue }
        # [string] straight from $args keeps a number as typed (007, 1e300, 0x10): PowerShell remembers the literal's
        # text on the argument, and only this conversion (not a copy into a variable) reads it.
        $text = [string]$args[$i]
        # PowerShell hands a function `-name:value` as two arguments, '-name:' and 'value': join them back, as a
        # native program would receive them.
        if ($text -match '^-[^-:][^:]*:$' -and $i + 1 -lt $args.Count) { $text += [string]$args[++$i] }
        $all.Add($text)
    }
    try {
        TraceCraft\Invoke-TraceCraft -ArgumentList $all.ToArray()
    }
    catch {
        # Invoke-TraceCraft reports its own failures and sets $LASTEXITCODE; this is for anything that escapes it
        # anyway, so that a caller's `; exit $LASTEXITCODE` never sees a stale (or no) exit code.
        $global:LASTEXITCODE = 1
        [Console]::Error.WriteLine('Error: ' + $_.Exception.Message)
    }
    if ($global:LASTEXITCODE -ne 0) {
        # The message is already on stderr in the original's words; this only marks the call as failed ($? = false,
        # and so exit code 1 for pwsh -Command) without printing a second, PowerShell-styled error. The target is the
        # verb alone: the arguments may hold a secret key.
        $ErrorActionPreference = 'SilentlyContinue'
        $record = [System.Management.Automation.ErrorRecord]::new(
            [System.Exception]::new("tracecraft exited with code $global:LASTEXITCODE"),
            'TraceCraftCliFailed', [System.Management.Automation.ErrorCategory]::NotSpecified, $(if ($all.Count -gt 0) { $all[0] }))
        $null = [TraceCraft.PowerShell.ScriptFunctionStatus]::WriteErrorOfRunningFunction($ExecutionContext, $record)
    }
}
