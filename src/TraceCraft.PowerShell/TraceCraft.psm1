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
    standard error. $LASTEXITCODE is 0 on success, 1 on failure and 2 on a usage error, and a failed call sets $? to
    $false, so `pwsh -Command` exits with 1. Run `tracecraft --help` for the verbs.

    .PARAMETER Arguments
    The verb and its arguments, exactly as for the original CLI.

    .PARAMETER o
    The output path of `artifact download` (the original's -o; declared so that PowerShell does not read it as a
    common parameter).

    .EXAMPLE
    tracecraft claim design
    Claimed step design as designer

    .EXAMPLE
    pwsh -NoProfile -Command "tracecraft memory get design.status"; echo $?
    Calls the module from bash; the exit code is 1 when the key is missing.
    #>
    [CmdletBinding(PositionalBinding = $false)]
    param(
        [Parameter(ValueFromRemainingArguments = $true)]
        [string[]] $Arguments,

        [string] $o
    )
    $all = @()
    if ($null -ne $Arguments) { $all += $Arguments }
    if ($PSBoundParameters.ContainsKey('o')) { $all += @('-o', $o) }
    try {
        TraceCraft\Invoke-TraceCraft -ArgumentList $all
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
        $PSCmdlet.WriteError($record)
    }
}
