# Tab completion, through TabExpansion2 as the console and editors call it: values come from the project's store.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TraceCraft.TestHelpers.psm1') -Force
    $backends = Get-TcTestBackend
}

foreach ($b in $backends) {
    Describe 'Tab completion on the <Backend> store' -Tag 'Completion', $b.Backend -ForEach @($b) -Skip:$b.Skip {
        BeforeAll {
            $environment = $null; $tc = $null  # set before anything can fail: AfterAll reads them
            Import-Module (Join-Path $PSScriptRoot 'TraceCraft.TestHelpers.psm1') -Force
            $environment = Enter-TcTestEnvironment
            $tc = New-TcTestProject -Backend $Backend -Agent lead, worker, reviewer -Prefix comp
            Set-Location $tc.Folders.lead
            # Everything is in the store before the first completion (completers cache for a few seconds).
            New-TcStep -Id build | Out-Null
            New-TcStep -Id lint | Out-Null
            Request-TcStep -Id bundle | Out-Null
            Request-TcStep -Id 'Claim Only' | Out-Null
            Set-TcMemory -Key design.status -Value complete | Out-Null
            Set-TcMemory -Key design.owner -Value lead | Out-Null
            Set-TcMemory -Key cfg.mode -Value fast | Out-Null
            Set-Content (Join-Path $tc.Folders.lead 'report.txt') 'x' -NoNewline
            Publish-TcArtifact -Path (Join-Path $tc.Folders.lead 'report.txt') -Step build | Out-Null

            function Complete([string] $line) {
                $result = TabExpansion2 -inputScript $line -cursorColumn $line.Length
                @($result.CompletionMatches | ForEach-Object CompletionText)
            }
        }

        AfterAll {
            Exit-TcTestEnvironment $environment
            Remove-TcTestProject $tc
        }

        It 'step ids after Request-TcStep -Id' {
            $ids = Complete 'Request-TcStep -Id '
            foreach ($id in 'build', 'lint', 'bundle', "'Claim Only'") { $ids | Should -Contain $id }
            $ids | Should -Not -Contain 'design.status'
        }

        It 'step ids starting with the typed word (case-insensitive)' {
            Complete 'Request-TcStep -Id bu' | Sort-Object | Should -BeExactly @('build', 'bundle')
            Complete 'Request-TcStep -Id LI' | Should -BeExactly @('lint')
        }

        It 'a step id with a space is completed in quotes (the store keeps step folders in lower case)' {
            Complete 'Get-TcStep -Id Cla' | Should -Be @("'claim only'")
        }

        It 'memory keys after Get-TcMemory -Key' {
            $keys = Complete 'Get-TcMemory -Key '
            foreach ($key in 'design.status', 'design.owner', 'cfg.mode') { $keys | Should -Contain $key }
            Complete 'Get-TcMemory -Key des' | Sort-Object | Should -BeExactly @('design.owner', 'design.status')
        }

        It 'recipients after Send-TcMessage -To include every agent and _broadcast' {
            $to = Complete 'Send-TcMessage -To '
            foreach ($agent in 'lead', 'worker', 'reviewer', '_broadcast') { $to | Should -Contain $agent }
            Complete 'Send-TcMessage -To _' | Should -BeExactly @('_broadcast')
            Complete 'Send-TcMessage -To w' | Should -BeExactly @('worker')
        }

        It 'agents (without _broadcast) after Complete-TcStep -To' {
            $to = Complete 'Complete-TcStep -Id build -To '
            $to | Should -Contain 'reviewer'
            $to | Should -Not -Contain '_broadcast'
        }

        It 'agent ids after Get-TcAgent -Id' {
            Complete 'Get-TcAgent -Id l' | Should -BeExactly @('lead')
            Complete 'Get-TcAgent -Id ' | Sort-Object | Should -BeExactly @('lead', 'reviewer', 'worker')
        }

        It 'artifact names after Save-TcArtifact -Name' {
            Complete 'Save-TcArtifact -Name r' | Should -BeExactly @('report.txt')
        }

        It 'no suggestions and no error outside a project, apart from the fixed recipient _broadcast' {
            $empty = Join-Path $tc.Root 'no-project'
            New-Item -ItemType Directory -Force $empty | Out-Null
            Push-Location $empty
            try {
                $Error.Clear()
                Complete 'Request-TcStep -Id ' | Should -BeNullOrEmpty
                Complete 'Send-TcMessage -To _' | Should -BeExactly @('_broadcast')
                $Error | Should -BeNullOrEmpty
            }
            finally {
                Pop-Location
            }
        }
    }
}
