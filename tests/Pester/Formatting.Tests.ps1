# Every type the cmdlets emit, through Format-Table and Format-List. The format views are being written elsewhere,
# so these tests only ask what any sensible view shows: the type name PowerShell selects views by, the key values,
# and no error.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TraceCraft.TestHelpers.psm1') -Force
    $backends = Get-TcTestBackend
    # Type, and the values a view of it must show (<project> is replaced by the project name).
    $types = @(
        @{ Type = 'Agent'; Values = @('fmt-lead') }
        @{ Type = 'Step'; Values = @('fmt-step', 'in_progress', 'fmt-lead') }
        @{ Type = 'StepClaim'; Values = @('fmt-claim', 'fmt-lead') }
        @{ Type = 'Message'; Values = @('fmt-worker', 'fmt hello') }
        @{ Type = 'MemoryEntry'; Values = @('fmt.key', 'fmt-value') }
        @{ Type = 'Artifact'; Values = @('fmt.txt', 'fmt-step') }
        @{ Type = 'Handoff'; Values = @('fmt-done', 'fmt note') }
        @{ Type = 'ProjectContext'; Values = @('<project>', 'fmt-lead') }
    )
}

foreach ($b in $backends) {
    Describe 'Format-Table and Format-List of every type, on the <Backend> store' -Tag 'Format', $b.Backend -ForEach @($b) -Skip:$b.Skip {
        BeforeAll {
            $environment = $null; $tc = $null  # set before anything can fail: AfterAll reads them
            Import-Module (Join-Path $PSScriptRoot 'TraceCraft.TestHelpers.psm1') -Force
            $environment = Enter-TcTestEnvironment
            $tc = New-TcTestProject -Backend $Backend -Agent fmt-lead, fmt-worker -Prefix fmt
            Set-Location $tc.Folders.'fmt-worker'
            Send-TcMessage -To fmt-lead -Text 'fmt hello' | Out-Null
            Set-Location $tc.Folders.'fmt-lead'
            $file = Join-Path $tc.Root 'fmt.txt'
            Set-Content $file 'formatted' -NoNewline
            $objects = @{
                ProjectContext = $tc.Contexts.'fmt-lead'
                StepClaim      = Request-TcStep -Id fmt-claim
                MemoryEntry    = Set-TcMemory -Key fmt.key -Value fmt-value
            }
            Request-TcStep -Id fmt-step | Out-Null
            Request-TcStep -Id fmt-done | Out-Null
            Complete-TcStep -Id fmt-done -Note 'fmt note' | Out-Null
            Publish-TcArtifact -Path $file -Step fmt-step | Out-Null
            $objects.Agent = Get-TcAgent -Id fmt-lead
            $objects.Step = Get-TcStep -Id fmt-step
            $objects.Message = Get-TcInbox | Select-Object -First 1
            $objects.Artifact = Get-TcArtifact -Step fmt-step
            $objects.Handoff = Get-TcHandoff -Id fmt-done
        }

        AfterAll {
            Exit-TcTestEnvironment $environment
            Remove-TcTestProject $tc
        }

        Context 'TraceCraft.<Type>' -ForEach $types {
            BeforeAll {
                $object = $objects[$Type]
                $expected = $Values | ForEach-Object { $_.Replace('<project>', $tc.Project) }
            }

            It 'a cmdlet emits one object whose first type name is TraceCraft.<Type>' {
                @($object) | Should -HaveCount 1
                $object.PSObject.TypeNames[0] | Should -BeExactly "TraceCraft.$Type"
            }

            It 'Format-Table shows <Values> without an error' {
                $text = Get-TcFormatted $object -As Table -ErrorVariable problems
                $problems | Should -BeNullOrEmpty
                foreach ($value in $expected) { $text | Should -Match ([regex]::Escape($value)) }
                $text | Should -Not -MatchExactly '(?m)^\s*TraceCraft\.\w+\s*$' -Because 'the view should show values, not the type name'
            }

            It 'Format-List shows <Values> without an error' {
                $text = Get-TcFormatted $object -As List -ErrorVariable problems
                $problems | Should -BeNullOrEmpty
                foreach ($value in $expected) { $text | Should -Match ([regex]::Escape($value)) }
            }

            It 'the default output (Out-String) shows <Values>' {
                $text = $object | Out-String -Width 400
                foreach ($value in $expected) { $text | Should -Match ([regex]::Escape($value)) }
            }
        }

        Context 'times in local time, as yyyy-MM-dd HH:mm:ss' {
            BeforeAll {
                # A zone that is not UTC (+05:30, no daylight saving), so that a view showing UTC would fail here.
                # .NET on Unix reads TZ; ClearCachedData makes it read it again. Put back in AfterAll.
                $savedTz = $env:TZ
                if (-not $IsWindows) { $env:TZ = 'Asia/Kolkata'; [TimeZoneInfo]::ClearCachedData() }
                function Get-TcLocalText($Time) { $Time.ToLocalTime().ToString('yyyy-MM-dd HH:mm:ss') }
                $leased = Request-TcStep -Id fmt-lease -LeaseSeconds 600
                $leasedStep = Get-TcStep -Id fmt-lease
                $doneStep = Get-TcStep -Id fmt-done
            }

            AfterAll {
                if (-not $IsWindows) { $env:TZ = $savedTz; [TimeZoneInfo]::ClearCachedData() }
            }

            It 'runs in a zone where local time is not UTC' -Skip:$IsWindows {
                [TimeZoneInfo]::Local.BaseUtcOffset | Should -Be ([timespan] '05:30:00')
            }

            It 'Step: the table shows LeaseExpiresAt while the step is in progress, and CompletedAt' {
                Get-TcFormatted $leasedStep -As Table | Should -Match ([regex]::Escape((Get-TcLocalText $leasedStep.LeaseExpiresAt)))
                Get-TcFormatted $doneStep -As Table | Should -Match ([regex]::Escape((Get-TcLocalText $doneStep.CompletedAt)))
            }

            It 'Step: the table fits 80 columns, header and times whole' {
                $text = @($leasedStep, $doneStep) | Format-Table | Out-String -Width 80
                $lines = $text -split "`r?`n" | Where-Object { $_.Trim() }
                $lines[0] | Should -Match '^Id\s+Status\s+Agent\s+ClaimedBy\s+When\s*$'
                $text | Should -Match ('lease to ' + [regex]::Escape((Get-TcLocalText $leasedStep.LeaseExpiresAt)))
                $text | Should -Match ([regex]::Escape((Get-TcLocalText $doneStep.CompletedAt)))
                $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 80 }
            }

            It 'Step: the table hides the expiry that a finished step may still carry (e.g. written by another tool)' {
                # Built by reflection: this module clears the lease of a finished step, a foreign writer may not.
                $type = $leasedStep.GetType()
                $stale = [Activator]::CreateInstance($type)
                foreach ($name in 'Id', 'Status', 'LeaseExpiresAt', 'CompletedAt') {
                    $value = @{ Id = 'fmt-foreign'; Status = 'complete'; LeaseExpiresAt = $leasedStep.LeaseExpiresAt; CompletedAt = $doneStep.CompletedAt }[$name]
                    $type.GetProperty($name).SetValue($stale, $value)
                }
                $text = Get-TcFormatted $stale -As Table
                $text | Should -Match ([regex]::Escape((Get-TcLocalText $doneStep.CompletedAt)))
                $text | Should -Not -Match ([regex]::Escape((Get-TcLocalText $leasedStep.LeaseExpiresAt)))
                Get-TcFormatted $stale -As List | Should -Match ('LeaseExpiresAt\s+: ' + [regex]::Escape((Get-TcLocalText $leasedStep.LeaseExpiresAt)))
            }

            It 'Step: the list shows StartedAt, CompletedAt and LeaseExpiresAt' {
                $text = Get-TcFormatted $leasedStep -As List
                $text | Should -Match ('StartedAt\s+: ' + [regex]::Escape((Get-TcLocalText $leasedStep.StartedAt)))
                $text | Should -Match ('LeaseExpiresAt\s+: ' + [regex]::Escape((Get-TcLocalText $leasedStep.LeaseExpiresAt)))
                Get-TcFormatted $doneStep -As List | Should -Match ('CompletedAt\s+: ' + [regex]::Escape((Get-TcLocalText $doneStep.CompletedAt)))
            }

            It 'StepClaim: ClaimedAt, and ExpiresAt or never' {
                $text = Get-TcFormatted $leased -As Table
                $text | Should -Match ([regex]::Escape((Get-TcLocalText $leased.ClaimedAt) + ' ' + (Get-TcLocalText $leased.ExpiresAt)))
                $never = $objects.StepClaim
                $never.ExpiresAt | Should -BeNullOrEmpty
                Get-TcFormatted $never -As Table | Should -Match ([regex]::Escape((Get-TcLocalText $never.ClaimedAt) + ' never'))
            }

            It 'Message SentAt, MemoryEntry SetAt, Artifact Modified, Handoff CreatedAt (table and list)' {
                Get-TcFormatted $objects.Message -As Table | Should -Match ([regex]::Escape((Get-TcLocalText $objects.Message.SentAt)))
                Get-TcFormatted $objects.MemoryEntry -As Table | Should -Match ([regex]::Escape((Get-TcLocalText $objects.MemoryEntry.SetAt)))
                Get-TcFormatted $objects.Artifact -As Table | Should -Match ([regex]::Escape((Get-TcLocalText $objects.Artifact.Modified)))
                $created = [regex]::Escape((Get-TcLocalText $objects.Handoff.CreatedAt))
                Get-TcFormatted $objects.Handoff -As Table | Should -Match $created
                Get-TcFormatted $objects.Handoff -As List | Should -Match ('CreatedAt\s+: ' + $created)
            }

            It 'the display texts add no visible property: Format-List *, Get-Member and JSON are unchanged' {
                foreach ($object in @($objects.Values) + $doneStep) {
                    $names = @($object.PSObject.Properties.Name)
                    $names | Should -Not -Match 'Local$'
                    ($object | Get-Member -MemberType Properties).Name | Should -Not -Match 'Local$'
                    ($object | ConvertTo-Json -Depth 1 -WarningAction Ignore) | Should -Not -Match 'Local"'
                }
            }
        }

        It 'a mixed pipeline of all types formats without an error' {
            $all = @($objects.Values)
            $all | Should -HaveCount 8
            { $all | Format-Table | Out-String -Width 400 } | Should -Not -Throw
            { $all | Format-List | Out-String -Width 400 } | Should -Not -Throw
        }
    }
}
