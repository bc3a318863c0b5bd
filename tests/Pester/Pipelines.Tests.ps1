# The cmdlets in pipelines, as a PowerShell user chains them: ready steps into claims, artifacts into downloads,
# inbox messages into Where-Object, steps into a wait.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TraceCraft.TestHelpers.psm1') -Force
    $backends = Get-TcTestBackend
}

foreach ($b in $backends) {
    Describe 'Pipelines on the <Backend> store' -Tag 'Pipeline', $b.Backend -ForEach @($b) -Skip:$b.Skip {
        BeforeAll {
            $environment = $null; $tc = $null  # set before anything can fail: AfterAll reads them
            Import-Module (Join-Path $PSScriptRoot 'TraceCraft.TestHelpers.psm1') -Force
            $environment = Enter-TcTestEnvironment
            $tc = New-TcTestProject -Backend $Backend -Agent lead, worker, observer -Prefix pipe
            $lead = $tc.Folders.lead
            $worker = $tc.Folders.worker
            $observer = $tc.Folders.observer
        }

        AfterAll {
            Exit-TcTestEnvironment $environment
            Remove-TcTestProject $tc
        }

        Context 'Get-TcStep -Ready | Select-Object -First 1 | Request-TcStep' {
            BeforeAll {
                Set-Location $lead
                $declared = @(
                    New-TcStep -Id lint
                    New-TcStep -Id test
                    New-TcStep -Id build -DependsOn lint, test -Description 'compile everything'
                )
            }

            It 'New-TcStep declares steps with their dependencies' {
                $declared.Id | Should -BeExactly @('lint', 'test', 'build')
                $declared[2].DependsOn | Should -BeExactly @('lint', 'test')
                $declared[2].Status | Should -BeExactly 'pending'
                (Get-TcStep -Id build).Description | Should -BeExactly 'compile everything'
            }

            It 'build is not ready while lint and test are open' {
                (Get-TcStep -Ready).Id | Sort-Object | Should -BeExactly @('lint', 'test')
            }

            It 'a step that someone holds is not ready' {
                Set-Location $worker
                Request-TcStep -Id lint | Out-Null
                Set-Location $lead
                (Get-TcStep -Ready).Id | Should -BeExactly @('test')
            }

            It 'once lint and test are complete, build is the one ready step and the pipeline claims it' {
                Set-Location $worker
                Complete-TcStep -Id lint -Note 'clean' | Out-Null
                Set-Location $lead
                Request-TcStep -Id test | Complete-TcStep | Out-Null
                $claim = Get-TcStep -Ready | Select-Object -First 1 | Request-TcStep
                $claim.StepId | Should -BeExactly 'build'
                $claim.Agent | Should -BeExactly 'lead'
                (Get-TcStep -Id build).Status | Should -BeExactly 'in_progress'
                Get-TcStep -Ready | Should -BeNullOrEmpty
            }

            It 'Select-Object -First 1 claims only one of several ready steps' {
                New-TcStep -Id pkg-a -DependsOn build | Out-Null
                New-TcStep -Id pkg-b -DependsOn build | Out-Null
                Complete-TcStep -Id build | Out-Null
                $claims = @(Get-TcStep -Ready | Select-Object -First 1 | Request-TcStep)
                $claims | Should -HaveCount 1
                $open = Get-TcStep -Id pkg-a, pkg-b | Where-Object Status -eq 'pending'
                @($open) | Should -HaveCount 1
                $open.Id | Should -Not -Be $claims[0].StepId
            }
        }

        Context 'Get-TcArtifact -Step build | Save-TcArtifact -Destination ./in/' {
            BeforeAll {
                Set-Location $lead
                $sources = Join-Path $tc.Root 'sources'
                New-Item -ItemType Directory -Force $sources | Out-Null
                Set-Content (Join-Path $sources 'app.txt') 'the app' -NoNewline
                Set-Content (Join-Path $sources 'notes.md') '# notes' -NoNewline
                Get-ChildItem $sources | Publish-TcArtifact -Step build | Out-Null
                Publish-TcArtifact -Path (Join-Path $sources 'notes.md') -Name 'shared-notes.md' | Out-Null
            }

            It 'Get-TcArtifact -Step build lists only that step''s artifacts' {
                (Get-TcArtifact -Step build).Name | Sort-Object | Should -BeExactly @('app.txt', 'notes.md')
                (Get-TcArtifact -Shared).Name | Should -BeExactly @('shared-notes.md')
            }

            It 'the pipeline saves every artifact of the step into ./in/ with its content' {
                Set-Location $worker
                $saved = Get-TcArtifact -Step build | Save-TcArtifact -Destination ./in/
                $saved | Should -HaveCount 2
                Join-Path $worker 'in/app.txt' | Should -FileContentMatchExactly '^the app$'
                Join-Path $worker 'in/notes.md' | Should -FileContentMatchExactly '^# notes$'
                $saved.LocalPath | Sort-Object | Should -BeExactly @((Join-Path $worker 'in/app.txt'), (Join-Path $worker 'in/notes.md'))
                (Get-ChildItem (Join-Path $worker 'in')).Name | Sort-Object | Should -BeExactly @('app.txt', 'notes.md')
            }
        }

        Context 'Get-TcInbox | Where-Object From -eq lead' {
            BeforeAll {
                Set-Location $lead
                Send-TcMessage -To observer -Text 'from the lead' | Out-Null
                Send-TcMessage -To _broadcast -Text 'lead to all' | Out-Null
                Set-Location $worker
                Send-TcMessage -To observer -Text 'from the worker' | Out-Null
                Set-Location $observer
            }

            It 'the inbox holds direct messages and broadcasts, oldest first' {
                $inbox = Get-TcInbox
                $inbox.Text | Should -BeExactly @('from the lead', 'lead to all', 'from the worker')
                ($inbox | Where-Object Kind -eq 'Broadcast').To | Should -BeExactly '_broadcast'
            }

            It 'Where-Object From -eq lead keeps only the lead''s messages' {
                $fromLead = Get-TcInbox | Where-Object From -eq lead
                $fromLead.Text | Should -BeExactly @('from the lead', 'lead to all')
            }

            It 'Send-TcMessage takes the text from the pipeline' {
                'one', 'two' | Send-TcMessage -To lead | Should -HaveCount 2
                Set-Location $lead
                (Get-TcInbox | Where-Object From -eq observer).Text | Should -BeExactly @('one', 'two')
            }
        }

        Context "'lint','test','docs' | Get-TcStep | Request-TcStep with -Verbose on one of the two" {
            # Both cmdlets share the runspace's session and are alive at once: each must show its own requests only.
            BeforeAll {
                Set-Location $lead
                foreach ($id in 'v-lint', 'v-test', 'v-docs', 'w-lint', 'w-test', 'w-docs') { New-TcStep -Id $id | Out-Null }

                function Get-TcVerboseLine([scriptblock] $Pipeline) {
                    # The pipeline's verbose records, each with the cmdlet that wrote it.
                    @(& $Pipeline 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } |
                        ForEach-Object { [pscustomobject]@{ Command = $_.InvocationInfo.MyCommand.Name; Line = $_.Message } })
                }
            }

            It 'Get-TcStep -Verbose shows its 9 reads (status, claim, spec of each step) and nothing of Request-TcStep' {
                $lines = Get-TcVerboseLine { 'v-lint', 'v-test', 'v-docs' | Get-TcStep -Verbose | Request-TcStep }
                $lines.Command | Sort-Object -Unique | Should -BeExactly @('Get-TcStep')
                $lines | Should -HaveCount 9
                foreach ($id in 'v-lint', 'v-test', 'v-docs') {
                    $mine = @($lines.Line -match "/steps/$id/")
                    $mine | Should -HaveCount 3
                    $mine | Should -Match '^TraceCraft GET '
                }
                (Get-TcStep -Id v-lint, v-test, v-docs).Status | Should -BeExactly @('in_progress', 'in_progress', 'in_progress')
            }

            It 'Request-TcStep -Verbose shows its own requests, the same for each step, and none of Get-TcStep''s reads' {
                $lines = Get-TcVerboseLine { 'w-lint', 'w-test', 'w-docs' | Get-TcStep | Request-TcStep -Verbose }
                $lines.Command | Sort-Object -Unique | Should -BeExactly @('Request-TcStep')
                # Request-TcStep reads each step's spec once itself (dependencies bind) but, unlike Get-TcStep, never GETs a claim.
                @($lines.Line -match 'spec\.json') | Should -HaveCount 3
                @($lines.Line -match '^TraceCraft GET \S+/claim\.json') | Should -HaveCount 0
                @($lines.Line -match '^TraceCraft PUT\(If-None-Match\) \S+/steps/w-[a-z]+/claim\.json -> 200') | Should -HaveCount 3
                $perStep = foreach ($id in 'w-lint', 'w-test', 'w-docs') { @($lines.Line -match "/steps/$id/").Count }
                $perStep[0] | Should -BeGreaterThan 0
                $perStep | Should -BeExactly @($perStep[0], $perStep[0], $perStep[0])
            }
        }

        Context 'Get-TcStep a,b | Wait-TcStep -Timeout 5' {
            BeforeAll {
                Set-Location $lead
                foreach ($id in 'wait-a', 'wait-b') { Request-TcStep -Id $id | Complete-TcStep | Out-Null }
                Request-TcStep -Id wait-open | Out-Null
            }

            It 'returns both steps at once when both are complete' {
                $watch = [Diagnostics.Stopwatch]::StartNew()
                $steps = Get-TcStep wait-a, wait-b | Wait-TcStep -Timeout 5
                $watch.Elapsed.TotalSeconds | Should -BeLessThan 4
                $steps.Id | Sort-Object | Should -BeExactly @('wait-a', 'wait-b')
                $steps.Status | Should -BeExactly @('complete', 'complete')
            }

            It 'with an open step, it ends with a WaitTimeout error after the timeout' {
                $watch = [Diagnostics.Stopwatch]::StartNew()
                $steps = Get-TcStep wait-a, wait-open | Wait-TcStep -Timeout 1 -ErrorVariable err -ErrorAction SilentlyContinue
                $watch.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 0.9
                $watch.Elapsed.TotalSeconds | Should -BeLessThan 8
                $steps | Should -BeNullOrEmpty
                $err | Should -HaveCount 1
                $err[0].FullyQualifiedErrorId | Should -BeExactly 'WaitTimeout,TraceCraft.PowerShell.Commands.WaitTcStepCommand'
                $err[0].Exception.Message | Should -Match 'wait-open'
            }

            It 'returns when another agent completes the step during the wait' {
                $job = Start-ThreadJob -ArgumentList $env:TRACECRAFT_MODULE_PATH, $lead -ScriptBlock {
                    param($module, $folder)
                    Import-Module $module
                    Set-Location $folder
                    Start-Sleep -Milliseconds 1000
                    Complete-TcStep -Id wait-open -Note 'finally' | Out-Null
                }
                try {
                    $steps = Get-TcStep wait-a, wait-open | Wait-TcStep -Timeout 20
                    $steps.Id | Sort-Object | Should -BeExactly @('wait-a', 'wait-open')
                    (Get-TcHandoff -Id wait-open).Note | Should -BeExactly 'finally'
                }
                finally {
                    $job | Receive-Job -Wait -AutoRemoveJob | Out-Null
                }
            }
        }
    }
}
