# Artifacts as people use them: deleting (Remove-TcArtifact, with -WhatIf and from the pipeline), saving same-named
# artifacts of several steps without clobbering (-PerStep, and the error without it), and -Name completion that
# follows -Step.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TraceCraft.TestHelpers.psm1') -Force
    $backends = Get-TcTestBackend
}

foreach ($b in $backends) {
    Describe 'Artifacts on the <Backend> store' -Tag 'Artifacts', $b.Backend -ForEach @($b) -Skip:$b.Skip {
        BeforeAll {
            $environment = $null; $tc = $null  # set before anything can fail: AfterAll reads them
            Import-Module (Join-Path $PSScriptRoot 'TraceCraft.TestHelpers.psm1') -Force
            $environment = Enter-TcTestEnvironment
            $tc = New-TcTestProject -Backend $Backend -Agent lead -Prefix art
            $lead = $tc.Folders.lead
            Set-Location $lead

            function Publish-Report([string] $Step, [string] $Text, [string] $Name = 'report.txt') {
                $file = Join-Path $tc.Root "upload-$([guid]::NewGuid().ToString('N'))"
                Set-Content $file $Text -NoNewline
                $arguments = @{ Path = $file; Name = $Name; Force = $true }
                if ($Step) { $arguments.Step = $Step }
                Publish-TcArtifact @arguments | Out-Null
            }

            function Complete([string] $line) {
                $result = TabExpansion2 -inputScript $line -cursorColumn $line.Length
                @($result.CompletionMatches | ForEach-Object CompletionText)
            }
        }

        AfterAll {
            Exit-TcTestEnvironment $environment
            Remove-TcTestProject $tc
        }

        Context 'Remove-TcArtifact' {
            BeforeEach {
                Set-Location $lead
                Get-TcArtifact | Remove-TcArtifact -Confirm:$false
                Publish-Report build 'build report'
                Publish-Report test 'test report'
                Publish-Report $null 'shared report'
            }

            It 'deletes the named step''s artifact only' {
                Remove-TcArtifact report.txt -Step build | Should -BeNullOrEmpty
                (Get-TcArtifact).Key | Sort-Object | Should -BeExactly @("$($tc.Project)/artifacts/shared/report.txt", "$($tc.Project)/artifacts/test/report.txt")
            }

            It '-WhatIf deletes nothing; the same command without it deletes' {
                Remove-TcArtifact report.txt -Step build -WhatIf
                Get-TcArtifact -Step build | Should -HaveCount 1
                Remove-TcArtifact report.txt -Step build
                Get-TcArtifact -Step build | Should -BeNullOrEmpty
            }

            It 'takes a listing from the pipeline, shared artifacts included' {
                Get-TcArtifact | Should -HaveCount 3
                Get-TcArtifact | Remove-TcArtifact
                Get-TcArtifact | Should -BeNullOrEmpty
            }

            It 'a missing artifact is ArtifactNotFound for that name, and the other names are still deleted' {
                Remove-TcArtifact missing.txt, report.txt -Step test -ErrorVariable err -ErrorAction SilentlyContinue
                $err | Should -HaveCount 1
                $err[0].FullyQualifiedErrorId | Should -BeExactly 'ArtifactNotFound,TraceCraft.PowerShell.Commands.RemoveTcArtifactCommand'
                $err[0].TargetObject | Should -BeExactly "$($tc.Project)/artifacts/test/missing.txt"
                Get-TcArtifact -Step test | Should -BeNullOrEmpty
            }

            It 'the tracecraft verb deletes too: artifact delete NAME --step S' {
                $r = Invoke-TcCli artifact delete report.txt --step test
                $r.ExitCode | Should -Be 0
                $r.Lines | Should -BeExactly @('Deleted artifacts/test/report.txt')
                Get-TcArtifact -Step test | Should -BeNullOrEmpty
                (Invoke-TcCli artifact delete report.txt --step test).ExitCode | Should -Be 1
            }
        }

        Context 'Get-TcArtifact | Save-TcArtifact with same-named artifacts of several steps' {
            BeforeAll {
                Set-Location $lead
                Get-TcArtifact | Remove-TcArtifact -Confirm:$false
                Publish-Report build 'build report'
                Publish-Report test 'test report'
                Publish-Report $null 'shared report'
                Publish-Report test 'only in test' -Name 'coverage.txt'
            }

            It '-PerStep writes destination/step/name, shared ones under shared/' {
                $saved = Get-TcArtifact | Save-TcArtifact -Destination ./per-step -PerStep
                $saved | Should -HaveCount 4
                Join-Path $lead 'per-step/build/report.txt' | Should -FileContentMatchExactly '^build report$'
                Join-Path $lead 'per-step/test/report.txt' | Should -FileContentMatchExactly '^test report$'
                Join-Path $lead 'per-step/test/coverage.txt' | Should -FileContentMatchExactly '^only in test$'
                Join-Path $lead 'per-step/shared/report.txt' | Should -FileContentMatchExactly '^shared report$'
            }

            It 'without -PerStep the second report.txt is DestinationExists naming -PerStep, even with -Force, and the first file stays' {
                $saved = Get-TcArtifact | Save-TcArtifact -Destination ./flat/ -Force -ErrorVariable err -ErrorAction SilentlyContinue
                $saved.Name | Sort-Object | Should -BeExactly @('coverage.txt', 'report.txt')
                $err | Should -HaveCount 2
                $err | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeExactly 'DestinationExists,TraceCraft.PowerShell.Commands.SaveTcArtifactCommand' }
                $err[0].Exception.Message | Should -Match '-PerStep'
                # The listing is sorted by key: artifacts/build/report.txt came first and is the one kept.
                Join-Path $lead 'flat/report.txt' | Should -FileContentMatchExactly '^build report$'
            }

            It 'a second run with -Force still replaces files from before the command' {
                Set-Content (Join-Path $lead 'flat/coverage.txt') 'stale' -NoNewline
                Save-TcArtifact coverage.txt -Step test -Destination ./flat/ -Force | Out-Null
                Join-Path $lead 'flat/coverage.txt' | Should -FileContentMatchExactly '^only in test$'
            }
        }

        Context '-Name completion follows -Step' {
            BeforeAll {
                Set-Location $lead
                Get-TcArtifact | Remove-TcArtifact -Confirm:$false
                Publish-Report build 'b' -Name 'build-log.txt'
                Publish-Report test 'c' -Name 'coverage.txt'
                Publish-Report $null 's' -Name 'notes.md'
                # No completion has run in this project's folder yet, so no cached listing hides these.
            }

            It 'with -Step only that step''s names' {
                Complete 'Save-TcArtifact -Step test -Name ' | Should -BeExactly @('coverage.txt')
                Complete 'Remove-TcArtifact -Step build -Name ' | Should -BeExactly @('build-log.txt')
                Complete 'Get-TcArtifact -Step test -Name c' | Should -BeExactly @('coverage.txt')
            }

            It 'with -Shared only shared names; with neither, every name' {
                Complete 'Get-TcArtifact -Shared -Name ' | Should -BeExactly @('notes.md')
                Complete 'Save-TcArtifact -Name ' | Should -BeExactly @('build-log.txt', 'coverage.txt', 'notes.md')
            }
        }
    }
}
