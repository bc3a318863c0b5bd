# The seed's two-agent story (tracecraft-seed.md), told with the module's `tracecraft` command on each store: a designer
# and a developer, each in its own folder with its own .tracecraft.json, sharing one project. Every printed line is
# compared with the seed's (and wire-format.md's where the seed shows none).

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TraceCraft.TestHelpers.psm1') -Force
    $backends = Get-TcTestBackend
}

foreach ($b in $backends) {
    Describe 'Two-agent story on the <Backend> store' -Tag 'Story', $b.Backend -ForEach @($b) -Skip:$b.Skip {
        BeforeAll {
            $environment = $null; $tc = $null  # set before anything can fail: AfterAll reads them
            Import-Module (Join-Path $PSScriptRoot 'TraceCraft.TestHelpers.psm1') -Force
            $environment = Enter-TcTestEnvironment
            $tc = New-TcTestProject -Backend $Backend -Agent designer, developer -Prefix story -NoInit
            $p = $tc.Project
            $designer = $tc.Folders.designer
            $developer = $tc.Folders.developer
            $storeArgs = Get-TcTestInitArgument -Backend $Backend -FolderStore $tc.FolderStore
            # The designer's file, by absolute path (see the BUG test below for relative paths).
            $mockup = Join-Path $designer 'mockup.html'
            Set-Content -Path $mockup -Value '<html><body>mockup</body></html>' -NoNewline

            function As([string] $agent, [string[]] $line) {
                # One agent's terminal: its own folder, hence its own config.
                Set-Location ($agent -eq 'designer' ? $designer : $developer)
                Invoke-TcCli @line
            }
        }

        AfterAll {
            Exit-TcTestEnvironment $environment
            Remove-TcTestProject $tc
        }

        It 'designer: tracecraft init writes its config and registers the agent' {
            $r = As designer (@('init', '--project', $p, '--agent', 'designer') + $storeArgs)
            $r.ExitCode | Should -Be 0
            $r.Lines.Count | Should -Be 2
            $r.Lines[0] | Should -BeLikeExactly "Initialized project $p as agent designer (*)"
            $r.Lines[1] | Should -BeExactly "Config written to $(Join-Path $designer '.tracecraft.json')"
            Join-Path $designer '.tracecraft.json' | Should -Exist
            Get-Content (Join-Path $designer '.gitignore') | Should -Contain '.tracecraft.json'
        }

        It 'the config file is readable only by its owner (mode 600)' -Skip:$IsWindows {
            (Get-Item -Force (Join-Path $designer '.tracecraft.json')).UnixFileMode | Should -Be ([IO.UnixFileMode] 'UserRead, UserWrite')
        }

        It 'developer: tracecraft init in its own folder' {
            $r = As developer (@('init', '--project', $p, '--agent', 'developer') + $storeArgs)
            $r.ExitCode | Should -Be 0
            $r.Lines[0] | Should -BeLikeExactly "Initialized project $p as agent developer (*)"
        }

        It 'designer: tracecraft claim design' {
            $r = As designer claim, design
            $r.ExitCode | Should -Be 0
            $r.Lines | Should -BeExactly @('Claimed step design as designer')
        }

        It 'designer: tracecraft memory set design.status complete' {
            $r = As designer memory, set, design.status, complete
            $r.ExitCode | Should -Be 0
            $r.Lines | Should -BeExactly @('Set design.status = complete')
        }

        It 'designer: tracecraft send developer "Design is ready"' {
            $r = As designer send, developer, 'Design is ready'
            $r.ExitCode | Should -Be 0
            $r.Lines | Should -BeExactly @('Sent to developer: Design is ready')
        }

        It 'developer: tracecraft inbox shows the direct message with its time' {
            $r = As developer inbox
            $r.ExitCode | Should -Be 0
            $r.Lines.Count | Should -Be 1
            # [2026-03-24T14:00:00.123456+00:00] (direct) designer: Design is ready
            $r.Lines[0] -cmatch '^\[(?<t>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?(\+00:00|Z))\] \(direct\) designer: Design is ready$' |
                Should -BeTrue -Because "the line was '$($r.Lines[0])'"
            $sent = [DateTimeOffset]::Parse($Matches.t, [cultureinfo]::InvariantCulture)
            ([DateTimeOffset]::UtcNow - $sent).Duration().TotalMinutes | Should -BeLessThan 5
        }

        It 'designer: tracecraft inbox is empty (no message to the designer)' {
            $r = As designer inbox
            $r.ExitCode | Should -Be 0
            $r.Lines | Should -BeExactly @('No messages.')
        }

        It 'developer: tracecraft memory get design.status' {
            $r = As developer memory, get, design.status
            $r.ExitCode | Should -Be 0
            $r.Lines | Should -BeExactly @('complete')
        }

        It 'developer: tracecraft claim implementation' {
            $r = As developer claim, implementation
            $r.ExitCode | Should -Be 0
            $r.Lines | Should -BeExactly @('Claimed step implementation as developer')
        }

        It 'developer: tracecraft claim design fails with exit code 1 and no output' {
            $r = As developer claim, design
            $r.ExitCode | Should -Be 1
            $r.Lines | Should -BeNullOrEmpty
        }

        It 'designer: tracecraft artifact upload FILE --step design' {
            $r = As designer artifact, upload, $mockup, --step, design
            $r.ExitCode | Should -Be 0
            $r.Lines | Should -BeExactly @("Uploaded mockup.html -> artifacts/design/mockup.html")
        }

        It 'designer: tracecraft complete design --note "done, see mockup.html" --to developer' {
            $r = As designer complete, design, --note, 'done, see mockup.html', --to, developer
            $r.ExitCode | Should -Be 0
            $r.Lines | Should -BeExactly @('Completed step design → handed off to developer')
        }

        It 'developer: tracecraft wait-for design returns at once when it is complete' {
            $r = As developer wait-for, design, --timeout, 10
            $r.ExitCode | Should -Be 0
            $r.Lines | Should -BeExactly @('All steps complete: design')
        }

        It 'the bucket holds the status and handoff objects the original CLI reads' {
            $status = Read-TcStoreObject $tc 'steps/design/status.json' | ConvertFrom-Json
            $status.status | Should -BeExactly 'complete'
            $status.agent | Should -BeExactly 'designer'
            $handoff = Read-TcStoreObject $tc 'steps/design/handoff.json' | ConvertFrom-Json
            $handoff.schema | Should -Be 2
            $handoff.from_agent | Should -BeExactly 'designer'
            $handoff.from_step | Should -BeExactly 'design'
            $handoff.next_agent | Should -BeExactly 'developer'
            $handoff.note | Should -BeExactly 'done, see mockup.html'
            $memory = Read-TcStoreObject $tc 'memory/design/status.json' | ConvertFrom-Json
            $memory.value | Should -BeExactly 'complete'
            $memory.set_by | Should -BeExactly 'designer'
        }

        # Times are written exactly as the original writes them (no "\u002B00:00" escaping).
        It 'times in the bucket are written as 2026-03-24T14:00:00.123456+00:00' {
            $text = Read-TcStoreObject $tc 'steps/design/status.json'
            $text | Should -Match '"completed_at": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00"'
        }

        It 'developer: the handoff note reaches the developer (Get-TcHandoff)' {
            Set-Location $developer
            $h = Get-TcHandoff -Id design
            $h.Note | Should -BeExactly 'done, see mockup.html'
            $h.FromAgent | Should -BeExactly 'designer'
            $h.NextAgent | Should -BeExactly 'developer'
            $h.State | Should -BeExactly 'complete'
        }

        It 'developer: tracecraft artifact list --step design' {
            $r = As developer artifact, list, --step, design
            $r.Lines | Should -BeExactly @("artifacts/design/mockup.html")
        }

        It 'developer: tracecraft artifact download mockup.html --step design' {
            $r = As developer artifact, download, mockup.html, --step, design
            $r.ExitCode | Should -Be 0
            $target = Join-Path $developer 'mockup.html'
            $r.Lines | Should -BeExactly @("Downloaded artifacts/design/mockup.html -> $target")
            Get-Content -Raw $target | Should -BeExactly '<html><body>mockup</body></html>'
        }

        It 'developer: tracecraft artifact download of a missing name fails' {
            $r = As developer artifact, download, nothing.html, --step, design
            $r.ExitCode | Should -Be 1
            Join-Path $developer 'nothing.html' | Should -Not -Exist
        }

        It 'developer: tracecraft step-status <step> prints "<line>"' -ForEach @(
            @{ Step = 'design'; Line = 'design: complete (agent: designer)' }
            @{ Step = 'implementation'; Line = 'implementation: in_progress (agent: developer)' }
            @{ Step = 'deploy'; Line = 'deploy: pending' }
        ) {
            $r = As developer step-status, $Step
            $r.ExitCode | Should -Be 0
            $r.Lines | Should -BeExactly @($Line)
        }

        It 'tracecraft memory list shows dotted keys; memory get of a missing key exits 1 with no output' {
            (As designer memory, list).Lines | Should -BeExactly @('design.status')
            $r = As developer memory, get, design.nothing
            $r.ExitCode | Should -Be 1
            $r.Lines | Should -BeNullOrEmpty
        }

        It 'tracecraft agents lists both agents as active with the steps they still hold' {
            $r = As designer agents
            $r.ExitCode | Should -Be 0
            $r.Lines[0] | Should -BeExactly ('{0,-25} {1,-10} {2,-15} Heartbeat Age' -f 'ID', 'Status', 'Step')
            # design is complete by now, so the designer holds no step
            $r.Lines -match '^designer\s+active\s+-\s' | Should -HaveCount 1
            $r.Lines -match '^developer\s+active\s+implementation\s' | Should -HaveCount 1
        }

        It 'developer: tracecraft inbox --delete shows, then deletes; the inbox is then empty' {
            $r = As developer inbox, --delete
            $r.Lines.Count | Should -Be 2
            $r.Lines[0] | Should -Match '\(direct\) designer: Design is ready$'
            $r.Lines[1] | Should -BeExactly 'Deleted 1 message(s).'
            (As developer inbox).Lines | Should -BeExactly @('No messages.')
        }

        It 'developer: tracecraft wait-for blocks until the designer completes the step' {
            (As designer claim, review).ExitCode | Should -Be 0
            # The designer finishes in its own runspace a moment later, while the developer waits.
            $job = Start-ThreadJob -ArgumentList $env:TRACECRAFT_MODULE_PATH, $designer -ScriptBlock {
                param($module, $folder)
                Import-Module $module
                Set-Location $folder
                Start-Sleep -Milliseconds 1500
                tracecraft complete review --note 'looks good'
            }
            try {
                $watch = [Diagnostics.Stopwatch]::StartNew()
                $r = As developer wait-for, review, --timeout, 30
                $watch.Stop()
                $r.ExitCode | Should -Be 0
                $r.Lines | Should -BeExactly @('All steps complete: review')
                $watch.Elapsed.TotalSeconds | Should -BeGreaterThan 1
                $watch.Elapsed.TotalSeconds | Should -BeLessThan 20
                $job | Receive-Job -Wait | Should -BeExactly 'Completed step review'
            }
            finally {
                $job | Remove-Job -Force
            }
        }

        It 'developer: tracecraft wait-for times out with exit code 1 (the original line goes to stderr)' {
            $r = As developer wait-for, implementation, --timeout, 1
            $r.ExitCode | Should -Be 1
            $r.Lines | Should -BeNullOrEmpty
        }

        # A relative PATH is resolved against PowerShell's location, not the process's current directory.
        It 'designer: tracecraft artifact upload with a path relative to the current location' {
            $r = As designer artifact, upload, mockup.html, --step, design-relative
            $r.ExitCode | Should -Be 0
            $r.Lines | Should -BeExactly @("Uploaded mockup.html -> artifacts/design-relative/mockup.html")
        }

        # By design (leases issue): a claim is ONE conditional create of claim.json, with no status.json write. The
        # original reads a claim without a status as in progress by the claimer (wire-format.md), and so do we.
        It 'a claim is one object, claim.json, and reads as in progress by the claimer' {
            Read-TcStoreObject $tc 'steps/implementation/claim.json' | Should -Not -BeNullOrEmpty
            $claim = Read-TcStoreObject $tc 'steps/implementation/claim.json' | ConvertFrom-Json
            $claim.agent | Should -BeExactly 'developer'
            $claim.token | Should -Be 1
            $r = As developer step-status, implementation
            $r.Lines | Should -BeExactly @('implementation: in_progress (agent: developer)')
        }
    }
}

Describe 'Two agents in one folder, told apart by TRACECRAFT_AGENT' -Tag 'Story' {
    BeforeAll {
        $environment = $null; $tc = $null  # set before anything can fail: AfterAll reads them
        Import-Module (Join-Path $PSScriptRoot 'TraceCraft.TestHelpers.psm1') -Force
        $environment = Enter-TcTestEnvironment
        $tc = New-TcTestProject -Backend folder -Agent shared -Prefix agentenv
        Set-Location $tc.Folders.shared
    }

    AfterAll {
        Remove-Item env:TRACECRAFT_AGENT -ErrorAction Ignore
        Exit-TcTestEnvironment $environment
        Remove-TcTestProject $tc
    }

    It 'TRACECRAFT_AGENT=designer tracecraft claim design claims as designer' {
        $env:TRACECRAFT_AGENT = 'designer'
        (Invoke-TcCli claim design).Lines | Should -BeExactly @('Claimed step design as designer')
        (Invoke-TcCli send developer 'Design is ready').Lines | Should -BeExactly @('Sent to developer: Design is ready')
    }

    It 'TRACECRAFT_AGENT=developer tracecraft inbox reads the developer''s inbox' {
        $env:TRACECRAFT_AGENT = 'developer'
        $r = Invoke-TcCli inbox
        $r.Lines.Count | Should -Be 1
        $r.Lines[0] | Should -Match '\(direct\) designer: Design is ready$'
        (Invoke-TcCli claim design).ExitCode | Should -Be 1
    }

    It 'without TRACECRAFT_AGENT the config''s agent is used' {
        Remove-Item env:TRACECRAFT_AGENT -ErrorAction Ignore
        (Invoke-TcCli claim other).Lines | Should -BeExactly @('Claimed step other as shared')
        (Invoke-TcCli inbox).Lines | Should -BeExactly @('No messages.')
    }
}
