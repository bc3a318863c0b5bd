# Fencing by the claim, not the name: a session's claim that another process (with the same agent name) took over
# cannot complete or renew, whether the cmdlet finds the token in the session or in a piped claim.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TraceCraft.TestHelpers.psm1') -Force
    $backends = Get-TcTestBackend
}

foreach ($b in $backends) {
    Describe 'Fencing on the <Backend> store' -Tag 'Fencing', $b.Backend -ForEach @($b) -Skip:$b.Skip {
        BeforeAll {
            $environment = $null; $tc = $null  # set before anything can fail: AfterAll reads them
            Import-Module (Join-Path $PSScriptRoot 'TraceCraft.TestHelpers.psm1') -Force
            $environment = Enter-TcTestEnvironment
            $tc = New-TcTestProject -Backend $Backend -Agent deploy -Prefix fence
            $deploy = $tc.Folders.deploy
        }

        AfterAll {
            Exit-TcTestEnvironment $environment
            Remove-TcTestProject $tc
        }

        It 'a takeover by another process named like this agent fences Complete-TcStep and Update-TcStep of this session' {
            Set-Location $deploy
            $claim = Request-TcStep -Id release -LeaseSeconds 1
            $claim.Token | Should -Be 1
            Start-Sleep -Seconds 3
            $other = Invoke-TcPwsh -Command 'Request-TcStep -Id release -LeaseSeconds 600 | ForEach-Object Token'
            $other.OutLines | Should -Be @('2')
            { Complete-TcStep -Id release -Note stale -ErrorAction Stop } | Should -Throw -ErrorId 'ClaimLost,TraceCraft.PowerShell.Commands.CompleteTcStepCommand'
            { $claim | Update-TcStep -Renew -ErrorAction Stop } | Should -Throw -ErrorId 'ClaimLost,TraceCraft.PowerShell.Commands.UpdateTcStepCommand'
            { Complete-TcStep -Id release -Token 1 -ErrorAction Stop } | Should -Throw -ErrorId 'ClaimLost,TraceCraft.PowerShell.Commands.CompleteTcStepCommand'
            (Get-TcStep -Id release).Status | Should -BeExactly 'in_progress'
            Get-TcHandoff -Id release | Should -BeNullOrEmpty
        }

        It 'a finished step is not claimed again, and -Force completes it anew' {
            Set-Location $deploy
            Complete-TcStep -Id shipped -Note 'first' | Out-Null
            { Request-TcStep -Id shipped -ErrorAction Stop } | Should -Throw -ErrorId 'StepFinished,TraceCraft.PowerShell.Commands.RequestTcStepCommand'
            (Complete-TcStep -Id shipped -Blocked -Force -Note 'second').Status | Should -BeExactly 'blocked'
            (Get-TcHandoff -Id shipped).Note | Should -BeExactly 'second'
        }
    }
}
