# Errors as a script sees them: the full FullyQualifiedErrorId (the stable id scripts match on), the category, the
# target object, non-terminating errors for one bad item, terminating ones when nothing can run, and no change.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TraceCraft.TestHelpers.psm1') -Force
    $backends = Get-TcTestBackend
}

foreach ($b in $backends) {
    Describe 'Errors with their ids on the <Backend> store' -Tag 'Errors', $b.Backend -ForEach @($b) -Skip:$b.Skip {
        BeforeAll {
            $environment = $null; $tc = $null  # set before anything can fail: AfterAll reads them
            Import-Module (Join-Path $PSScriptRoot 'TraceCraft.TestHelpers.psm1') -Force
            $environment = Enter-TcTestEnvironment
            $tc = New-TcTestProject -Backend $Backend -Agent lead, worker -Prefix err
            $lead = $tc.Folders.lead
            Set-Location $tc.Folders.worker
            Request-TcStep -Id taken | Out-Null
            Set-Location $lead
        }

        AfterAll {
            Exit-TcTestEnvironment $environment
            Remove-TcTestProject $tc
        }

        BeforeEach { Set-Location $lead }

        Context 'StepAlreadyClaimed' {
            It 'Request-TcStep on a held step writes StepAlreadyClaimed naming the holder' {
                $claim = Request-TcStep -Id taken -ErrorVariable err -ErrorAction SilentlyContinue
                $claim | Should -BeNullOrEmpty
                $err | Should -HaveCount 1
                $err[0].FullyQualifiedErrorId | Should -BeExactly 'StepAlreadyClaimed,TraceCraft.PowerShell.Commands.RequestTcStepCommand'
                $err[0].Exception.Message | Should -BeExactly 'Step taken already claimed by worker'
                $err[0].CategoryInfo.Category | Should -Be 'ResourceBusy'
                $err[0].TargetObject | Should -BeExactly 'taken'
            }

            It 'is non-terminating: the next step in the same call is still claimed' {
                $claims = Request-TcStep -Id taken, free-one -ErrorVariable err -ErrorAction SilentlyContinue
                $claims.StepId | Should -BeExactly 'free-one'
                $err | Should -HaveCount 1
                $err[0].TargetObject | Should -BeExactly 'taken'
            }

            It '-ErrorAction Stop makes it terminating and catchable' {
                { Request-TcStep -Id taken -ErrorAction Stop } |
                    Should -Throw -ErrorId 'StepAlreadyClaimed,TraceCraft.PowerShell.Commands.RequestTcStepCommand'
            }

            It 'the holder does not change' {
                (Get-TcStep -Id taken).Agent | Should -BeExactly 'worker'
            }

            It 'tracecraft claim sets $LASTEXITCODE to 1 and $? to false' {
                $lines = tracecraft claim taken 2>$null
                $ok = $?
                $code = $global:LASTEXITCODE
                $lines | Should -BeNullOrEmpty
                $code | Should -Be 1
                $ok | Should -BeFalse
            }

            # LIMITATION (documented in README): the `tracecraft` command writes its "Error: ..." line straight to the process's stderr
            # (Console.Error in InvokeTraceCraftCommand), bypassing PowerShell's streams: in a PowerShell session
            # `tracecraft claim taken 2>&1` captures nothing and `2>$null` does not silence it, unlike any native CLI.
            It 'tracecraft''s error line can be captured with 2>&1 in PowerShell' -Skip:$true {
                $all = @(tracecraft claim taken 2>&1) | ForEach-Object { "$_" }
                $all | Should -Contain 'Error: Step taken already claimed by worker'
            }
        }

        Context 'MemoryKeyNotFound' {
            It 'Get-TcMemory -Key of a missing key' {
                $entry = Get-TcMemory -Key no.such.key -ErrorVariable err -ErrorAction SilentlyContinue
                $entry | Should -BeNullOrEmpty
                $err | Should -HaveCount 1
                $err[0].FullyQualifiedErrorId | Should -BeExactly 'MemoryKeyNotFound,TraceCraft.PowerShell.Commands.GetTcMemoryCommand'
                $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
                $err[0].TargetObject | Should -BeExactly 'no.such.key'
            }

            It 'Remove-TcMemory of a missing key' {
                Remove-TcMemory -Key no.such.key -ErrorVariable err -ErrorAction SilentlyContinue
                $err[0].FullyQualifiedErrorId | Should -BeExactly 'MemoryKeyNotFound,TraceCraft.PowerShell.Commands.RemoveTcMemoryCommand'
            }

            It 'existing keys in the same call are still returned' {
                Set-TcMemory -Key present.key -Value here | Out-Null
                $entries = Get-TcMemory -Key no.such.key, present.key -ErrorVariable err -ErrorAction SilentlyContinue
                $entries.Value | Should -BeExactly 'here'
                $err | Should -HaveCount 1
            }
        }

        Context 'ConflictingConditions' {
            It 'Set-TcMemory -IfAbsent -IfVersion is refused with an id of the enum, as memory set --if-absent --if-version is' {
                Set-TcMemory -Key both.conditions -Value x -IfAbsent -IfVersion abc -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
                $err[0].FullyQualifiedErrorId | Should -BeExactly 'ConflictingConditions,TraceCraft.PowerShell.Commands.SetTcMemoryCommand'
                $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
                Get-TcMemory -Key both.conditions -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            }
        }

        Context 'InvalidIdentifier' {
            It 'Request-TcStep -Id <Shown> is refused and creates nothing' -ForEach @(
                @{ Id = 'a/b'; Shown = 'a/b' }
                @{ Id = '..'; Shown = '..' }
                @{ Id = '../escape'; Shown = '../escape' }
                @{ Id = "nul`0byte"; Shown = 'a NUL character' }
                @{ Id = 'back\slash'; Shown = 'back\slash' }
            ) {
                $claim = Request-TcStep -Id $Id -ErrorVariable err -ErrorAction SilentlyContinue
                $claim | Should -BeNullOrEmpty
                $err | Should -HaveCount 1
                $err[0].FullyQualifiedErrorId | Should -BeExactly 'InvalidIdentifier,TraceCraft.PowerShell.Commands.RequestTcStepCommand'
                $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
                (Get-TcStep).Id | Should -Not -Contain $Id
                if ($Backend -eq 'folder') {
                    Get-ChildItem -Recurse -Force $tc.FolderStore -Filter 'claim.json' |
                        Where-Object { $_.Directory.Name -notin 'taken', 'free-one' } | Should -BeNullOrEmpty
                    Join-Path $tc.FolderStore 'objects/escape' | Should -Not -Exist
                }
            }

            It 'Set-TcMemory with a key containing ''..'' is refused' {
                Set-TcMemory -Key 'a/../b' -Value x -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
                $err[0].FullyQualifiedErrorId | Should -BeExactly 'InvalidIdentifier,TraceCraft.PowerShell.Commands.SetTcMemoryCommand'
            }
        }

        Context 'MemoryVersionMismatch' {
            It 'Set-TcMemory -IfVersion with an old version is refused and the value stays' {
                $v1 = Set-TcMemory -Key cas.counter -Value 1
                $v2 = Set-TcMemory -Key cas.counter -Value 2
                $v1.Version | Should -Not -Be $v2.Version
                $result = Set-TcMemory -Key cas.counter -Value 3 -IfVersion $v1.Version -ErrorVariable err -ErrorAction SilentlyContinue
                $result | Should -BeNullOrEmpty
                $err | Should -HaveCount 1
                $err[0].FullyQualifiedErrorId | Should -BeExactly 'MemoryVersionMismatch,TraceCraft.PowerShell.Commands.SetTcMemoryCommand'
                (Get-TcMemory -Key cas.counter).Value | Should -Be 2
            }

            It 'Set-TcMemory -IfVersion with the current version writes' {
                $current = Get-TcMemory -Key cas.counter
                $next = Set-TcMemory -Key cas.counter -Value 4 -IfVersion $current.Version
                $next.Value | Should -Be 4
                (Get-TcMemory -Key cas.counter).Value | Should -Be 4
            }

            It 'Set-TcMemory -IfAbsent on an existing key is refused' {
                Set-TcMemory -Key cas.counter -Value 9 -IfAbsent -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
                $err[0].FullyQualifiedErrorId | Should -BeExactly 'MemoryVersionMismatch,TraceCraft.PowerShell.Commands.SetTcMemoryCommand'
                (Get-TcMemory -Key cas.counter).Value | Should -Be 4
            }
        }

        Context 'DestinationExists' {
            BeforeAll {
                Set-Location $lead
                $source = Join-Path $tc.Root 'data.txt'
                Set-Content $source 'from the store' -NoNewline
                Publish-TcArtifact -Path $source -Step taken | Out-Null
                $downloads = Join-Path $tc.Root 'downloads'
            }

            It 'the first Save-TcArtifact writes the file' {
                $saved = Save-TcArtifact -Name data.txt -Step taken -Destination "$downloads/"
                $saved.LocalPath | Should -BeExactly (Join-Path $downloads 'data.txt')
                Get-Content -Raw (Join-Path $downloads 'data.txt') | Should -BeExactly 'from the store'
            }

            It 'a second Save-TcArtifact without -Force writes DestinationExists and keeps the local file' {
                Set-Content (Join-Path $downloads 'data.txt') 'local edits' -NoNewline
                $saved = Save-TcArtifact -Name data.txt -Step taken -Destination "$downloads/" -ErrorVariable err -ErrorAction SilentlyContinue
                $saved | Should -BeNullOrEmpty
                $err | Should -HaveCount 1
                $err[0].FullyQualifiedErrorId | Should -BeExactly 'DestinationExists,TraceCraft.PowerShell.Commands.SaveTcArtifactCommand'
                $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
                Get-Content -Raw (Join-Path $downloads 'data.txt') | Should -BeExactly 'local edits'
            }

            It 'with -Force it replaces the file' {
                Save-TcArtifact -Name data.txt -Step taken -Destination "$downloads/" -Force | Out-Null
                Get-Content -Raw (Join-Path $downloads 'data.txt') | Should -BeExactly 'from the store'
            }

            It 'Publish-TcArtifact of an existing name without -Force writes DestinationExists' {
                Publish-TcArtifact -Path $source -Step taken -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
                $err[0].FullyQualifiedErrorId | Should -BeExactly 'DestinationExists,TraceCraft.PowerShell.Commands.PublishTcArtifactCommand'
            }

            It 'Save-TcArtifact of a missing artifact writes ArtifactNotFound' {
                Save-TcArtifact -Name missing.txt -Step taken -Destination "$downloads/" -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
                $err[0].FullyQualifiedErrorId | Should -BeExactly 'ArtifactNotFound,TraceCraft.PowerShell.Commands.SaveTcArtifactCommand'
                Join-Path $downloads 'missing.txt' | Should -Not -Exist
            }
        }

        Context 'StepNotOwned' {
            It 'Complete-TcStep of a step another agent holds is refused without -Force' {
                Complete-TcStep -Id taken -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
                $err[0].FullyQualifiedErrorId | Should -BeExactly 'StepNotOwned,TraceCraft.PowerShell.Commands.CompleteTcStepCommand'
                (Get-TcStep -Id taken).Status | Should -BeExactly 'in_progress'
            }
        }
    }
}

Describe 'ConfigNotFound in a folder without a project' -Tag 'Errors' {
    BeforeAll {
        $environment = $null; $empty = $null  # set before anything can fail: AfterAll reads them
        Import-Module (Join-Path $PSScriptRoot 'TraceCraft.TestHelpers.psm1') -Force
        $environment = Enter-TcTestEnvironment
        $empty = Join-Path ([IO.Path]::GetTempPath()) (New-TcTestName 'empty')
        New-Item -ItemType Directory -Force $empty | Out-Null
        Set-Location $empty
    }

    AfterAll {
        Exit-TcTestEnvironment $environment
        if ($empty) { Remove-Item -Recurse -Force $empty -ErrorAction Ignore }
    }

    It '<Command> throws a terminating ConfigNotFound error' -ForEach @(
        @{ Command = 'Get-TcStep'; Call = { Get-TcStep -ErrorAction SilentlyContinue }; Class = 'GetTcStepCommand' }
        @{ Command = 'Request-TcStep'; Call = { Request-TcStep -Id x -ErrorAction SilentlyContinue }; Class = 'RequestTcStepCommand' }
        @{ Command = 'Get-TcInbox'; Call = { Get-TcInbox -ErrorAction SilentlyContinue }; Class = 'GetTcInboxCommand' }
    ) {
        $caught = $null
        try { & $Call } catch { $caught = $_ }
        $caught | Should -Not -BeNullOrEmpty -Because 'a missing config stops the command, even with -ErrorAction SilentlyContinue'
        $caught.FullyQualifiedErrorId | Should -BeExactly "ConfigNotFound,TraceCraft.PowerShell.Commands.$Class"
        $caught.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $caught.Exception.Message | Should -Match 'tracecraft init|Initialize-TcProject'
    }

    It 'tracecraft exits 1 and creates no config' {
        tracecraft claim x 2>$null | Should -BeNullOrEmpty
        $global:LASTEXITCODE | Should -Be 1
        Join-Path $empty '.tracecraft.json' | Should -Not -Exist
    }

    It 'tracecraft in a child process prints "Error: No TraceCraft configuration found ..." on stderr' {
        $r = Invoke-TcPwsh -WorkingDirectory $empty -Command 'tracecraft memory list'
        $r.ExitCode | Should -Be 1
        $r.StdOut | Should -BeNullOrEmpty
        $r.ErrLines | Should -HaveCount 1
        $r.ErrLines[0] | Should -BeLikeExactly 'Error: No TraceCraft configuration found*'
    }
}
