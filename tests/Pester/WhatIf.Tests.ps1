# -WhatIf on the commands that delete or overwrite: the output says what would happen, and nothing changes.
# PowerShell writes "What if:" lines to the host, not to a stream, so they are read from a child pwsh's stdout,
# as a user sees them; the state is then checked in this session. Each case ends with a control: the same command
# without -WhatIf does change the state, so the checks can fail.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TraceCraft.TestHelpers.psm1') -Force
    $backends = Get-TcTestBackend
}

foreach ($b in $backends) {
    Describe '-WhatIf on the <Backend> store' -Tag 'WhatIf', $b.Backend -ForEach @($b) -Skip:$b.Skip {
        BeforeAll {
            $environment = $null; $tc = $null  # set before anything can fail: AfterAll reads them
            Import-Module (Join-Path $PSScriptRoot 'TraceCraft.TestHelpers.psm1') -Force
            $environment = Enter-TcTestEnvironment
            $tc = New-TcTestProject -Backend $Backend -Agent lead, worker -Prefix whatif
            $lead = $tc.Folders.lead

            Set-Location $tc.Folders.worker
            Request-TcStep -Id held-by-worker | Out-Null
            Send-TcMessage -To lead -Text 'keep me' | Out-Null
            Send-TcMessage -To _broadcast -Text 'keep me too' | Out-Null
            Set-Location $lead
            Set-TcMemory -Key wi.setting -Value original | Out-Null
            $artifactFile = Join-Path $lead 'report.txt'
            Set-Content $artifactFile 'version 1' -NoNewline
            Publish-TcArtifact -Path $artifactFile -Step held-by-worker | Out-Null
            Set-Content $artifactFile 'version 2, longer' -NoNewline

            # One child pwsh runs all four -WhatIf commands; sections are marked so each test reads its own.
            $script = @'
'### Remove-TcMemory'; Remove-TcMemory -Key wi.setting -WhatIf
'### Get-TcInbox'; $shown = @(Get-TcInbox -Delete -WhatIf); "shown: $($shown.Count)"
'### Complete-TcStep'; Complete-TcStep -Id held-by-worker -Note 'taken over' -Force -WhatIf | Out-Null
'### Publish-TcArtifact'; Publish-TcArtifact -Path ./report.txt -Step held-by-worker -Force -WhatIf | Out-Null
'### end'
'@
            $child = Invoke-TcPwsh -WorkingDirectory $lead -Command $script
            $sections = @{}
            $current = $null
            foreach ($line in $child.OutLines) {
                if ($line -match '^### (.+)$') { $current = $Matches[1]; $sections[$current] = [System.Collections.Generic.List[string]]::new() }
                elseif ($current) { $sections[$current].Add($line) }
            }

            function Get-ArtifactText {
                $folder = Join-Path $tc.Root ('check-' + [guid]::NewGuid().ToString('N'))
                $saved = Save-TcArtifact -Name report.txt -Step held-by-worker -Destination "$folder/"
                Get-Content -Raw $saved.LocalPath
            }
        }

        AfterAll {
            Exit-TcTestEnvironment $environment
            Remove-TcTestProject $tc
        }

        It 'the child session ran every case without an error' {
            $child.ExitCode | Should -Be 0 -Because $child.StdErr
            $child.StdErr | Should -BeNullOrEmpty
            $sections.Keys | Should -Contain 'end'
        }

        Context 'Remove-TcMemory -WhatIf' {
            It 'says it would remove the entry' {
                $sections['Remove-TcMemory'] | Should -HaveCount 1
                $sections['Remove-TcMemory'][0] | Should -Match '^What if: .*Remove.*"wi\.setting"'
            }

            It 'removes nothing; without -WhatIf it removes the entry' {
                Set-Location $lead
                (Get-TcMemory -Key wi.setting).Value | Should -BeExactly 'original'
                Remove-TcMemory -Key wi.setting
                Get-TcMemory -Key wi.setting -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            }
        }

        Context 'Get-TcInbox -Delete -WhatIf' {
            It 'shows the messages and says it would delete each one' {
                $lines = $sections['Get-TcInbox']
                $lines -match '^What if: .*Delete.*from worker' | Should -HaveCount 2
                $lines | Should -Contain 'shown: 2'
            }

            It 'deletes nothing; without -WhatIf it deletes them' {
                Set-Location $lead
                (Get-TcInbox -Refresh).Text | Should -BeExactly @('keep me', 'keep me too')
                Get-TcInbox -Refresh -Delete | Should -HaveCount 2
                Get-TcInbox -Refresh | Should -BeNullOrEmpty
            }
        }

        Context 'Complete-TcStep -Force -WhatIf' {
            It 'says it would complete the step another agent holds' {
                $sections['Complete-TcStep'] | Should -HaveCount 1
                $sections['Complete-TcStep'][0] | Should -Match '^What if: .*Complete.*"held-by-worker"'
            }

            It 'changes nothing; without -WhatIf it completes the step' {
                Set-Location $lead
                $step = Get-TcStep -Id held-by-worker
                $step.Status | Should -BeExactly 'in_progress'
                $step.Agent | Should -BeExactly 'worker'
                Get-TcHandoff -Id held-by-worker | Should -BeNullOrEmpty
                Complete-TcStep -Id held-by-worker -Note 'taken over' -Force -Confirm:$false | Out-Null
                (Get-TcStep -Id held-by-worker).Status | Should -BeExactly 'complete'
                (Get-TcHandoff -Id held-by-worker).Note | Should -BeExactly 'taken over'
            }
        }

        Context 'Publish-TcArtifact -Force -WhatIf' {
            It 'says it would replace the artifact' {
                $sections['Publish-TcArtifact'] | Should -HaveCount 1
                $sections['Publish-TcArtifact'][0] | Should -Match '^What if: .*report\.txt.*held-by-worker'
            }

            It 'replaces nothing; without -WhatIf it replaces the artifact' {
                Set-Location $lead
                Get-ArtifactText | Should -BeExactly 'version 1'
                Publish-TcArtifact -Path $artifactFile -Step held-by-worker -Force -Confirm:$false | Out-Null
                Get-ArtifactText | Should -BeExactly 'version 2, longer'
            }
        }

        Context '-WhatIf without -Force' {
            BeforeAll {
                Set-Location $lead
                Request-TcStep -Id plain-whatif | Out-Null
            }

            It 'Complete-TcStep -WhatIf changes nothing' {
                Complete-TcStep -Id plain-whatif -Note 'not yet' -WhatIf | Out-Null
                (Get-TcStep -Id plain-whatif).Status | Should -BeExactly 'in_progress'
                Get-TcHandoff -Id plain-whatif | Should -BeNullOrEmpty
            }

            It 'Publish-TcArtifact -WhatIf uploads nothing' {
                Publish-TcArtifact -Path $artifactFile -Step plain-whatif -WhatIf | Out-Null
                Get-TcArtifact -Step plain-whatif | Should -BeNullOrEmpty
            }
        }
    }
}
