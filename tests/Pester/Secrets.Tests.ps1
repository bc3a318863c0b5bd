# The S3 secret key never shows: not in any PowerShell stream of `tracecraft init` or Initialize-TcProject
# (output, error, warning, verbose, debug, information: all captured with *>&1), not in a child process's stdout or
# stderr, not in the error records a failed init leaves, whether the key is right or wrong.
# These need the S3 server (the folder store takes no keys): skipped without one, failing with CI=true.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TraceCraft.TestHelpers.psm1') -Force
    $backends = Get-TcTestBackend -Only s3
}

foreach ($b in $backends) {
    Describe 'The secret key never appears, on the <Backend> store' -Tag 'Secrets', $b.Backend -ForEach @($b) -Skip:$b.Skip {
        BeforeAll {
            $environment = $null; $tc = $null  # set before anything can fail: AfterAll reads them
            Import-Module (Join-Path $PSScriptRoot 'TraceCraft.TestHelpers.psm1') -Force
            $environment = Enter-TcTestEnvironment
            Assert-TcS3
            $tc = New-TcTestProject -Backend s3 -Agent cli, cmdlet, wrong-cli, wrong-cmdlet, child, wrong-child, session -Prefix secret -NoInit
            $secret = $env:TRACECRAFT_TEST_S3_SECRET_KEY
            $wrongSecret = 'Wr0ngSecret' + [guid]::NewGuid().ToString('N')

            function Get-AllText {
                # Everything captured, rendered the ways a user could look at it.
                param([object[]] $Captured)
                $Captured | ForEach-Object {
                    if ($_ -is [System.Management.Automation.ErrorRecord]) {
                        $_ | Format-List * -Force | Out-String -Width 4000
                        $_ | Get-Error | Out-String -Width 4000
                        "$($_.TargetObject)"
                        $_.Exception.ToString()
                    }
                    else {
                        $_ | Out-String -Width 4000
                        if ($_ -isnot [string]) { $_ | Format-List * -Force | Out-String -Width 4000 }
                    }
                } | Out-String
            }

            function Invoke-Captured([scriptblock] $Script) {
                # Every stream of the script, and every error record it adds to $Error.
                # A terminating error is caught and kept with the rest.
                $before = $Error.Count
                $captured = [System.Collections.Generic.List[object]]::new()
                try { & $Script *>&1 | ForEach-Object { $captured.Add($_) } } catch { $captured.Add($_) }
                $newErrors = @($Error | Select-Object -First ($Error.Count - $before))
                [pscustomobject]@{ Captured = $captured.ToArray(); Text = Get-AllText ($captured.ToArray() + $newErrors) }
            }
        }

        AfterAll {
            Exit-TcTestEnvironment $environment
            Remove-TcTestProject $tc
        }

        It 'tracecraft init --secret-key with -Verbose -Debug (Invoke-TraceCraft)' {
            Set-Location $tc.Folders.cli
            $initArgs = @('init', '--project', $tc.Project, '--agent', 'cli') + (Get-TcTestInitArgument -Backend s3)
            # The cmdlet, not the tracecraft function: the function hands -Verbose and -Debug to the CLI as arguments.
            $r = Invoke-Captured { Invoke-TraceCraft @initArgs -Verbose -Debug }
            $global:LASTEXITCODE | Should -Be 0
            $r.Text | Should -Match 'Initialized project' -Because 'the capture must hold the output'
            $r.Text.Contains($secret) | Should -BeFalse
        }

        It 'Initialize-TcProject -Credential with -Verbose and -Debug' {
            Set-Location $tc.Folders.cmdlet
            $r = Invoke-Captured {
                Initialize-TcProject -Project $tc.Project -Agent cmdlet -Endpoint $env:TRACECRAFT_TEST_S3_ENDPOINT `
                    -Bucket $env:TRACECRAFT_TEST_S3_BUCKET -Credential (Get-TcTestCredential) -Verbose -Debug
            }
            ($r.Captured | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }) | Should -Not -BeNullOrEmpty
            $r.Text | Should -Match ([regex]::Escape($tc.Project)) -Because 'the capture must hold the ProjectContext'
            $r.Text.Contains($secret) | Should -BeFalse
        }

        It 'the objects a user reads afterwards (ProjectContext, Get-TcAgent) hold no secret' {
            Set-Location $tc.Folders.cmdlet
            $text = Get-AllText @((Get-TcAgent), (Get-TcStep), (Get-Module TraceCraft))
            $text | Should -Match 'cmdlet'
            $text.Contains($secret) | Should -BeFalse
        }

        It 'Initialize-TcProject with a wrong secret key: the error names the problem, not the key' {
            Set-Location $tc.Folders.'wrong-cmdlet'
            $r = Invoke-Captured {
                Initialize-TcProject -Project $tc.Project -Agent wrong-cmdlet -Endpoint $env:TRACECRAFT_TEST_S3_ENDPOINT `
                    -Bucket $env:TRACECRAFT_TEST_S3_BUCKET -Credential (Get-TcTestCredential $wrongSecret) -Verbose
            }
            $errors = @($r.Captured | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
            $errors | Should -Not -BeNullOrEmpty -Because 'a wrong key must fail'
            $errors[0].FullyQualifiedErrorId | Should -BeLike 'AccessDenied,*'
            $r.Text.Contains($wrongSecret) | Should -BeFalse
            $r.Text.Contains($secret) | Should -BeFalse
        }

        It 'a child pwsh running tracecraft init shows no key on stdout or stderr, right key or wrong' {
            $right = @('--access-key', $env:TRACECRAFT_TEST_S3_ACCESS_KEY, '--secret-key', $secret)
            $wrong = @('--access-key', $env:TRACECRAFT_TEST_S3_ACCESS_KEY, '--secret-key', $wrongSecret)
            $base = "tracecraft init --project '$($tc.Project)' --endpoint '$env:TRACECRAFT_TEST_S3_ENDPOINT' --bucket '$env:TRACECRAFT_TEST_S3_BUCKET'"
            $ok = Invoke-TcPwsh -WorkingDirectory $tc.Folders.child -Command "`$VerbosePreference = 'Continue'; $base --agent child $($right -join ' ')"
            $failed = Invoke-TcPwsh -WorkingDirectory $tc.Folders.'wrong-child' -Command "`$VerbosePreference = 'Continue'; $base --agent wrong-child $($wrong -join ' ')"
            $ok.ExitCode | Should -Be 0 -Because $ok.StdErr
            $ok.StdOut | Should -Match 'Initialized project'
            $failed.ExitCode | Should -Be 1
            $failed.StdErr | Should -Match '^Error: .*credentials'
            foreach ($text in $ok.StdOut, $ok.StdErr, $failed.StdOut, $failed.StdErr) {
                $text.Contains($secret) | Should -BeFalse
                $text.Contains($wrongSecret) | Should -BeFalse
            }
        }

        It 'a whole session of cmdlets and tracecraft verbs, every stream on and failures included, shows no key' {
            Set-Location $tc.Folders.session
            $project = $tc.Project
            $r = Invoke-Captured {
                $ErrorActionPreference = 'Continue'
                $VerbosePreference = 'Continue'; $DebugPreference = 'Continue'; $InformationPreference = 'Continue'
                Initialize-TcProject -Project $project -Agent session -Endpoint $env:TRACECRAFT_TEST_S3_ENDPOINT `
                    -Bucket $env:TRACECRAFT_TEST_S3_BUCKET -Credential (Get-TcTestCredential)
                Request-TcStep -Id s -LeaseSeconds 60
                Request-TcStep -Id s
                Set-TcMemory -Key k -Value v
                Get-TcMemory -Key missing
                Send-TcMessage -To session -Text hi
                Get-TcInbox
                Complete-TcStep -Id s -Note done
                Wait-TcStep -Id s -Timeout 5
                Get-TcStep; Get-TcAgent; Get-TcHandoff -Id s
                tracecraft claim s
                tracecraft memory get k
                tracecraft agents
                Initialize-TcProject -Project $project -Agent session-b -Endpoint $env:TRACECRAFT_TEST_S3_ENDPOINT `
                    -Bucket $env:TRACECRAFT_TEST_S3_BUCKET -Credential (Get-TcTestCredential $wrongSecret)
                Get-TcStep
                Initialize-TcProject -Project $project -Agent session-c -Endpoint 'http://127.0.0.1:1' `
                    -Bucket $env:TRACECRAFT_TEST_S3_BUCKET -Credential (Get-TcTestCredential)
                Get-TcStep
            }
            $errors = @($r.Captured | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
            ($r.Captured | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }) | Should -Not -BeNullOrEmpty
            $errors.FullyQualifiedErrorId | Should -Contain 'StepAlreadyClaimed,TraceCraft.PowerShell.Commands.RequestTcStepCommand'
            @($errors.FullyQualifiedErrorId -like 'AccessDenied,*') | Should -Not -BeNullOrEmpty
            $r.Captured | Should -Contain 'v' -Because 'the capture must hold the output of tracecraft memory get k'
            $r.Text.Contains($secret) | Should -BeFalse
            $r.Text.Contains($wrongSecret) | Should -BeFalse
        }

        It 'the config file holds the key, readable only by its owner, and .gitignore lists it' {
            $config = Join-Path $tc.Folders.session '.tracecraft.json'
            (Get-Content -Raw $config).Contains($secret) | Should -BeTrue
            if (-not $IsWindows) {
                [System.IO.File]::GetUnixFileMode($config) | Should -Be ([System.IO.UnixFileMode] 'UserRead, UserWrite')
            }
            Join-Path $tc.Folders.session '.gitignore' | Should -FileContentMatch '\.tracecraft\.json'
        }

        # The TraceCraftCliFailed record names only the verb, never the arguments (which may hold --secret-key).
        It 'a failed tracecraft init leaves no error record holding the key' {
            Set-Location $tc.Folders.'wrong-cli'
            $initArgs = @('init', '--project', $tc.Project, '--agent', 'wrong-cli', '--endpoint', $env:TRACECRAFT_TEST_S3_ENDPOINT,
                '--bucket', $env:TRACECRAFT_TEST_S3_BUCKET, '--access-key', $env:TRACECRAFT_TEST_S3_ACCESS_KEY, '--secret-key', $wrongSecret)
            $r = Invoke-Captured { tracecraft @initArgs }
            $global:LASTEXITCODE | Should -Be 1
            $r.Text | Should -Match 'TraceCraftCliFailed' -Because 'the capture must hold the error record'
            $r.Text.Contains($wrongSecret) | Should -BeFalse
        }
    }
}
