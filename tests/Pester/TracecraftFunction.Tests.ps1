# The module's `tracecraft` function hands every argument to the command line as text, as a native executable gets
# it: PowerShell's common parameters (-Verbose, -Debug, -ErrorAction ...) and their abbreviations (-D, -e, -o) are
# the CLI's to judge, not PowerShell's. A failed call still sets $LASTEXITCODE and $? (pwsh -Command exits 1), with
# one plain error line; --json gives one JSON document on stdout and JSON errors on stderr.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TraceCraft.TestHelpers.psm1') -Force
    $backends = Get-TcTestBackend
}

foreach ($b in $backends) {
    Describe 'The tracecraft function passes arguments through, on the <Backend> store' -Tag 'Function', $b.Backend -ForEach @($b) -Skip:$b.Skip {
        BeforeAll {
            $environment = $null; $tc = $null  # set before anything can fail: AfterAll reads them
            Import-Module (Join-Path $PSScriptRoot 'TraceCraft.TestHelpers.psm1') -Force
            $environment = Enter-TcTestEnvironment
            $tc = New-TcTestProject -Backend $Backend -Agent lead, other -Prefix fn
            $lead = $tc.Folders.lead
            Set-Location $lead
        }

        AfterAll {
            Exit-TcTestEnvironment $environment
            Remove-TcTestProject $tc
        }

        BeforeEach { Set-Location $lead }

        Context 'arguments that PowerShell would take as common parameters' {
            It 'memory set dbg -D reaches the CLI, which reports -D (exit code 2), and stores nothing' {
                $out = tracecraft memory set dbg -D 2>$null
                $ok = $?
                $code = $global:LASTEXITCODE
                $out | Should -BeNullOrEmpty
                $code | Should -Be 2
                $ok | Should -BeFalse
                Get-TcMemory -Key dbg -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

                $r = Invoke-TcPwsh -WorkingDirectory $lead -Command 'tracecraft memory set dbg -D; exit $LASTEXITCODE'
                $r.ExitCode | Should -Be 2
                $r.ErrLines[0] | Should -BeExactly 'Error: unrecognized arguments: -D'
            }

            It 'a quoted -- ends the options: memory set x ''--'' -e stores -e' {
                tracecraft memory set fn.x '--' -e | Should -BeExactly 'Set fn.x = -e'
                (Get-TcMemory -Key fn.x).Value | Should -BeExactly '-e'
                $r = Invoke-TcPwsh -WorkingDirectory $lead -Command 'tracecraft memory set fn.y -e; exit $LASTEXITCODE'
                $r.ExitCode | Should -Be 2
                $r.ErrLines[0] | Should -BeExactly 'Error: unrecognized arguments: -e'
            }

            It 'send designer -verbose hands -verbose to the CLI as typed, and with ''--'' sends it as the text' {
                $r = Invoke-TcPwsh -WorkingDirectory $lead -Command 'tracecraft send other -verbose; exit $LASTEXITCODE'
                $r.ExitCode | Should -Be 2
                $r.StdOut | Should -BeNullOrEmpty
                $r.ErrLines[0] | Should -BeExactly 'Error: unrecognized arguments: -verbose'
                $r.StdOut + $r.StdErr | Should -Not -MatchExactly 'VERBOSE:'

                tracecraft send other '--' -verbose | Should -BeExactly 'Sent to other: -verbose'
                Set-Location $tc.Folders.other
                (Get-TcInbox | Where-Object From -eq lead).Text | Should -Contain '-verbose'
            }

            It '<Arguments> reaches the CLI as text' -ForEach @(
                @{ Arguments = @('-ErrorAction', 'Stop'); Reported = '-ErrorAction' }
                @{ Arguments = @('-ea', 'Stop'); Reported = '-ea' }
                @{ Arguments = @('-Debug'); Reported = '-Debug' }
                @{ Arguments = @('-WhatIf'); Reported = '-WhatIf' }
                @{ Arguments = @('-OutVariable', 'v'); Reported = '-OutVariable' }
            ) {
                # Written into the command line, as a user types it (splatting would not show what PowerShell parses).
                $line = "tracecraft step-status fn.s $($Arguments -join ' '); exit `$LASTEXITCODE"
                $r = Invoke-TcPwsh -WorkingDirectory $lead -Command $line
                $r.ExitCode | Should -Be 2
                $r.StdOut | Should -BeNullOrEmpty
                $r.ErrLines[0] | Should -BeExactly "Error: unrecognized arguments: $Reported"
            }

            It '-Name:value stays one argument, as a native program receives it' {
                $r = Invoke-TcPwsh -WorkingDirectory $lead -Command 'tracecraft step-status fn.s -ErrorAction:Stop; exit $LASTEXITCODE'
                $r.ExitCode | Should -Be 2
                $r.ErrLines[0] | Should -BeExactly 'Error: unrecognized arguments: -ErrorAction:Stop'
            }

            It 'artifact download -o writes where -o says' {
                Set-Content -LiteralPath (Join-Path $lead 'fn.txt') -Value 'payload' -NoNewline
                tracecraft artifact upload fn.txt --step fn | Should -BeExactly 'Uploaded fn.txt -> artifacts/fn/fn.txt'
                $target = Join-Path $lead 'fn-copy.txt'
                tracecraft artifact download fn.txt --step fn -o $target | Should -BeExactly "Downloaded artifacts/fn/fn.txt -> $target"
                Get-Content -Raw -LiteralPath $target | Should -BeExactly 'payload'
            }

            It 'numbers reach the CLI as typed: <Typed>' -ForEach @(
                @{ Typed = '007' }, @{ Typed = '1e3' }, @{ Typed = '0x10' }, @{ Typed = '1.50' }, @{ Typed = '1kb' }
            ) {
                $key = 'fn.n' + [guid]::NewGuid().ToString('N').Substring(0, 6)
                $r = Invoke-TcPwsh -WorkingDirectory $lead -Command "tracecraft memory set $key $Typed; tracecraft memory get $key"
                $r.ExitCode | Should -Be 0 -Because $r.StdErr
                $r.OutLines | Should -BeExactly @("Set $key = $Typed", $Typed)
            }

            It 'an array argument is passed joined with commas, as to a native program' {
                tracecraft step new fn.build --depends-on fn.lint, fn.test | Should -BeExactly 'Defined step fn.build (depends on: fn.lint, fn.test)'
            }

            It 'the store requests show with Invoke-TraceCraft -Verbose, or a global $VerbosePreference' {
                # A module's function does not see the caller's local preference variables, only global ones.
                $records = TraceCraft\Invoke-TraceCraft step-status fn.s -Verbose 4>&1
                @($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Count | Should -BeGreaterThan 0
                $records | Where-Object { $_ -is [string] } | Should -BeExactly 'fn.s: pending'
                $r = Invoke-TcPwsh -WorkingDirectory $lead -Command '$VerbosePreference = ''Continue''; tracecraft step-status fn.s'
                $r.ExitCode | Should -Be 0
                $r.StdOut + $r.StdErr | Should -MatchExactly 'VERBOSE: TraceCraft GET .*steps/fn-s/'
                $r.StdOut | Should -MatchExactly 'fn.s: pending'
            }
        }

        Context 'failures' {
            It 'a failure sets $LASTEXITCODE and $? and is not terminating, even under $ErrorActionPreference = Stop' {
                tracecraft claim fn.taken | Should -BeExactly 'Claimed step fn.taken as lead'
                Set-Location $tc.Folders.other
                $after = & {
                    $ErrorActionPreference = 'Stop'
                    tracecraft claim fn.taken 2>$null
                    $ok = $?
                    [pscustomobject]@{ Ok = $ok; Code = $global:LASTEXITCODE; Reached = $true }
                }
                $after.Reached | Should -BeTrue
                $after.Ok | Should -BeFalse
                $after.Code | Should -Be 1
            }

            It 'pwsh -Command exits 1 with the one plain error line on stderr' {
                $r = Invoke-TcPwsh -WorkingDirectory $tc.Folders.other -Command 'tracecraft claim fn.taken'
                $r.ExitCode | Should -Be 1
                $r.StdOut | Should -BeNullOrEmpty
                $r.ErrLines | Should -BeExactly @('Error: Step fn.taken already claimed by lead')
            }
        }

        Context '--json' {
            It 'gives one JSON document as one string on the pipeline, with the claim''s fencing token' {
                $out = @(tracecraft claim fn.json --lease 600 --json)
                $out.Count | Should -Be 1
                $claim = ($out[0] | ConvertFrom-Json).claimed
                $claim.stepId | Should -BeExactly 'fn.json'
                $claim.agent | Should -BeExactly 'lead'
                $claim.token | Should -Be 1
            }

            It 'a child pwsh prints the document on stdout and a failure as one JSON line on stderr, without colour' {
                $ok = Invoke-TcPwsh -WorkingDirectory $lead -Command 'tracecraft --json step-status fn.json'
                $ok.ExitCode | Should -Be 0 -Because $ok.StdErr
                ($ok.StdOut | ConvertFrom-Json).status | Should -BeExactly 'in_progress'
                $ok.StdErr | Should -BeNullOrEmpty

                $failed = Invoke-TcPwsh -WorkingDirectory $tc.Folders.other -Command 'tracecraft claim fn.json --json; exit $LASTEXITCODE'
                $failed.ExitCode | Should -Be 1
                $failed.StdOut | Should -BeNullOrEmpty
                $failed.ErrLines.Count | Should -Be 1
                $failed.StdErr | Should -Not -Match "`e"
                $detail = ($failed.ErrLines[0] | ConvertFrom-Json).error
                $detail.id | Should -BeExactly 'StepAlreadyClaimed'
                $detail.target | Should -BeExactly 'fn.json'
            }

            It 'claim --next with nothing ready: {"claimed": null} and exit code 3' {
                $r = Invoke-TcPwsh -WorkingDirectory $lead -Command 'tracecraft claim --next --filter fn.none* --json; exit $LASTEXITCODE'
                $r.ExitCode | Should -Be 3
                $r.StdOut.Trim() | Should -BeExactly '{"claimed":null}'
                $r.StdErr | Should -BeNullOrEmpty
            }
        }
    }
}
