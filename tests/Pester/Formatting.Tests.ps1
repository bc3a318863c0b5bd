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

        It 'a mixed pipeline of all types formats without an error' {
            $all = @($objects.Values)
            $all | Should -HaveCount 8
            { $all | Format-Table | Out-String -Width 400 } | Should -Not -Throw
            { $all | Format-List | Out-String -Width 400 } | Should -Not -Throw
        }
    }
}
