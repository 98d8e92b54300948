(module
  (import "env" "memory" (memory 1))
  (func $matmul (export "matmul") (param $out i32) (param $x i32) (param $ldx i32) (param $rows i32) (param $n i32) (param $w i32) (param $m i32) (param $bias i32)
    (local $r i32)
    (local $j i32)
    (local $k i32)
    (local $wp i32)
    (local $op i32)
    (local $ldxBytes i32)
    (local $mBytes i32)
    (local $xp0 i32)
    (local $xp1 i32)
    (local $xp2 i32)
    (local $xp3 i32)
    (local $acc0_0 v128)
    (local $acc0_1 v128)
    (local $acc1_0 v128)
    (local $acc1_1 v128)
    (local $acc2_0 v128)
    (local $acc2_1 v128)
    (local $acc3_0 v128)
    (local $acc3_1 v128)
    (local $wa v128)
    (local $wb v128)
    (local $s v128)
    local.get $ldx
    i32.const 4
    i32.mul
    local.set $ldxBytes
    local.get $m
    i32.const 4
    i32.mul
    local.set $mBytes
    i32.const 0
    local.set $r
    loop
      i32.const 0
      local.set $j
      loop
        local.get $bias
        local.get $j
        i32.const 4
        i32.mul
        i32.add
        v128.load
        local.set $acc0_0
        local.get $bias
        local.get $j
        i32.const 4
        i32.mul
        i32.add
        v128.load offset=16
        local.set $acc0_1
        local.get $bias
        local.get $j
        i32.const 4
        i32.mul
        i32.add
        v128.load
        local.set $acc1_0
        local.get $bias
        local.get $j
        i32.const 4
        i32.mul
        i32.add
        v128.load offset=16
        local.set $acc1_1
        local.get $bias
        local.get $j
        i32.const 4
        i32.mul
        i32.add
        v128.load
        local.set $acc2_0
        local.get $bias
        local.get $j
        i32.const 4
        i32.mul
        i32.add
        v128.load offset=16
        local.set $acc2_1
        local.get $bias
        local.get $j
        i32.const 4
        i32.mul
        i32.add
        v128.load
        local.set $acc3_0
        local.get $bias
        local.get $j
        i32.const 4
        i32.mul
        i32.add
        v128.load offset=16
        local.set $acc3_1
        local.get $x
        local.get $r
        i32.const 0
        i32.add
        local.get $ldxBytes
        i32.mul
        i32.add
        local.set $xp0
        local.get $x
        local.get $r
        i32.const 1
        i32.add
        local.get $ldxBytes
        i32.mul
        i32.add
        local.set $xp1
        local.get $x
        local.get $r
        i32.const 2
        i32.add
        local.get $ldxBytes
        i32.mul
        i32.add
        local.set $xp2
        local.get $x
        local.get $r
        i32.const 3
        i32.add
        local.get $ldxBytes
        i32.mul
        i32.add
        local.set $xp3
        local.get $w
        local.get $j
        i32.const 4
        i32.mul
        i32.add
        local.set $wp
        i32.const 0
        local.set $k
        loop
          local.get $wp
          v128.load
          local.set $wa
          local.get $wp
          v128.load offset=16
          local.set $wb
          local.get $xp0
          v128.load32_splat
          local.set $s
          local.get $acc0_0
          local.get $s
          local.get $wa
          f32x4.mul
          f32x4.add
          local.set $acc0_0
          local.get $acc0_1
          local.get $s
          local.get $wb
          f32x4.mul
          f32x4.add
          local.set $acc0_1
          local.get $xp0
          i32.const 4
          i32.add
          local.set $xp0
          local.get $xp1
          v128.load32_splat
          local.set $s
          local.get $acc1_0
          local.get $s
          local.get $wa
          f32x4.mul
          f32x4.add
          local.set $acc1_0
          local.get $acc1_1
          local.get $s
          local.get $wb
          f32x4.mul
          f32x4.add
          local.set $acc1_1
          local.get $xp1
          i32.const 4
          i32.add
          local.set $xp1
          local.get $xp2
          v128.load32_splat
          local.set $s
          local.get $acc2_0
          local.get $s
          local.get $wa
          f32x4.mul
          f32x4.add
          local.set $acc2_0
          local.get $acc2_1
          local.get $s
          local.get $wb
          f32x4.mul
          f32x4.add
          local.set $acc2_1
          local.get $xp2
          i32.const 4
          i32.add
          local.set $xp2
          local.get $xp3
          v128.load32_splat
          local.set $s
          local.get $acc3_0
          local.get $s
          local.get $wa
          f32x4.mul
          f32x4.add
          local.set $acc3_0
          local.get $acc3_1
          local.get $s
          local.get $wb
          f32x4.mul
          f32x4.add
          local.set $acc3_1
          local.get $xp3
          i32.const 4
          i32.add
          local.set $xp3
          local.get $wp
          local.get $mBytes
          i32.add
          local.set $wp
          local.get $k
          i32.const 1
          i32.add
          local.tee $k
          local.get $n
          i32.lt_u
          br_if 0
        end
        local.get $out
        local.get $r
        local.get $mBytes
        i32.mul
        i32.add
        local.get $j
        i32.const 4
        i32.mul
        i32.add
        local.set $op
        local.get $op
        local.get $acc0_0
        v128.store
        local.get $op
        local.get $acc0_1
        v128.store offset=16
        local.get $op
        local.get $mBytes
        i32.add
        local.set $op
        local.get $op
        local.get $acc1_0
        v128.store
        local.get $op
        local.get $acc1_1
        v128.store offset=16
        local.get $op
        local.get $mBytes
        i32.add
        local.set $op
        local.get $op
        local.get $acc2_0
        v128.store
        local.get $op
        local.get $acc2_1
        v128.store offset=16
        local.get $op
        local.get $mBytes
        i32.add
        local.set $op
        local.get $op
        local.get $acc3_0
        v128.store
        local.get $op
        local.get $acc3_1
        v128.store offset=16
        local.get $j
        i32.const 8
        i32.add
        local.tee $j
        local.get $m
        i32.lt_u
        br_if 0
      end
      local.get $r
      i32.const 4
      i32.add
      local.tee $r
      local.get $rows
      i32.lt_u
      br_if 0
    end
  )
  (func $matmulTN (export "matmulTN") (param $out i32) (param $a i32) (param $b i32) (param $rows i32) (param $n i32) (param $m i32) (param $i0 i32) (param $i1 i32) (param $sums i32)
    (local $e0 i32)
    (local $e1 i32)
    (local $i i32)
    (local $j i32)
    (local $e i32)
    (local $ap i32)
    (local $bp i32)
    (local $op i32)
    (local $nBytes i32)
    (local $mBytes i32)
    (local $sp i32)
    (local $withSums i32)
    (local $acc0_0 v128)
    (local $acc0_1 v128)
    (local $acc1_0 v128)
    (local $acc1_1 v128)
    (local $acc2_0 v128)
    (local $acc2_1 v128)
    (local $acc3_0 v128)
    (local $acc3_1 v128)
    (local $wa v128)
    (local $wb v128)
    (local $s v128)
    (local $c0 v128)
    (local $c1 v128)
    local.get $n
    i32.const 4
    i32.mul
    local.set $nBytes
    local.get $m
    i32.const 4
    i32.mul
    local.set $mBytes
    i32.const 0
    local.set $e0
    loop
      local.get $e0
      i32.const 128
      i32.add
      local.get $rows
      local.get $e0
      i32.const 128
      i32.add
      local.get $rows
      i32.lt_u
      select
      local.set $e1
      local.get $i0
      local.set $i
      loop
        i32.const 0
        local.set $j
        loop
          local.get $out
          local.get $i
          local.get $m
          i32.mul
          local.get $j
          i32.add
          i32.const 4
          i32.mul
          i32.add
          local.set $op
          local.get $op
          local.get $mBytes
          i32.const 0
          i32.mul
          i32.add
          v128.load
          local.set $acc0_0
          local.get $op
          local.get $mBytes
          i32.const 0
          i32.mul
          i32.add
          v128.load offset=16
          local.set $acc0_1
          local.get $op
          local.get $mBytes
          i32.const 1
          i32.mul
          i32.add
          v128.load
          local.set $acc1_0
          local.get $op
          local.get $mBytes
          i32.const 1
          i32.mul
          i32.add
          v128.load offset=16
          local.set $acc1_1
          local.get $op
          local.get $mBytes
          i32.const 2
          i32.mul
          i32.add
          v128.load
          local.set $acc2_0
          local.get $op
          local.get $mBytes
          i32.const 2
          i32.mul
          i32.add
          v128.load offset=16
          local.set $acc2_1
          local.get $op
          local.get $mBytes
          i32.const 3
          i32.mul
          i32.add
          v128.load
          local.set $acc3_0
          local.get $op
          local.get $mBytes
          i32.const 3
          i32.mul
          i32.add
          v128.load offset=16
          local.set $acc3_1
          local.get $a
          local.get $e0
          local.get $nBytes
          i32.mul
          i32.add
          local.get $i
          i32.const 4
          i32.mul
          i32.add
          local.set $ap
          local.get $b
          local.get $e0
          local.get $mBytes
          i32.mul
          i32.add
          local.get $j
          i32.const 4
          i32.mul
          i32.add
          local.set $bp
          local.get $e0
          local.set $e
          i32.const 0
          local.get $sums
          i32.lt_u
          local.get $i
          i32.const 1
          i32.lt_u
          i32.and
          local.set $withSums
          local.get $withSums
          if
            local.get $sums
            local.get $j
            i32.const 4
            i32.mul
            i32.add
            local.set $sp
            local.get $sp
            v128.load
            local.set $c0
            local.get $sp
            v128.load offset=16
            local.set $c1
            loop
              local.get $bp
              v128.load
              local.set $wa
              local.get $bp
              v128.load offset=16
              local.set $wb
              local.get $ap
              v128.load32_splat
              local.set $s
              local.get $acc0_0
              local.get $s
              local.get $wa
              f32x4.mul
              f32x4.add
              local.set $acc0_0
              local.get $acc0_1
              local.get $s
              local.get $wb
              f32x4.mul
              f32x4.add
              local.set $acc0_1
              local.get $ap
              v128.load32_splat offset=4
              local.set $s
              local.get $acc1_0
              local.get $s
              local.get $wa
              f32x4.mul
              f32x4.add
              local.set $acc1_0
              local.get $acc1_1
              local.get $s
              local.get $wb
              f32x4.mul
              f32x4.add
              local.set $acc1_1
              local.get $ap
              v128.load32_splat offset=8
              local.set $s
              local.get $acc2_0
              local.get $s
              local.get $wa
              f32x4.mul
              f32x4.add
              local.set $acc2_0
              local.get $acc2_1
              local.get $s
              local.get $wb
              f32x4.mul
              f32x4.add
              local.set $acc2_1
              local.get $ap
              v128.load32_splat offset=12
              local.set $s
              local.get $acc3_0
              local.get $s
              local.get $wa
              f32x4.mul
              f32x4.add
              local.set $acc3_0
              local.get $acc3_1
              local.get $s
              local.get $wb
              f32x4.mul
              f32x4.add
              local.set $acc3_1
              local.get $c0
              local.get $wa
              f32x4.add
              local.set $c0
              local.get $c1
              local.get $wb
              f32x4.add
              local.set $c1
              local.get $ap
              local.get $nBytes
              i32.add
              local.set $ap
              local.get $bp
              local.get $mBytes
              i32.add
              local.set $bp
              local.get $e
              i32.const 1
              i32.add
              local.tee $e
              local.get $e1
              i32.lt_u
              br_if 0
            end
            local.get $sp
            local.get $c0
            v128.store
            local.get $sp
            local.get $c1
            v128.store offset=16
          end
          i32.const 1
          local.get $withSums
          i32.sub
          if
            loop
              local.get $bp
              v128.load
              local.set $wa
              local.get $bp
              v128.load offset=16
              local.set $wb
              local.get $ap
              v128.load32_splat
              local.set $s
              local.get $acc0_0
              local.get $s
              local.get $wa
              f32x4.mul
              f32x4.add
              local.set $acc0_0
              local.get $acc0_1
              local.get $s
              local.get $wb
              f32x4.mul
              f32x4.add
              local.set $acc0_1
              local.get $ap
              v128.load32_splat offset=4
              local.set $s
              local.get $acc1_0
              local.get $s
              local.get $wa
              f32x4.mul
              f32x4.add
              local.set $acc1_0
              local.get $acc1_1
              local.get $s
              local.get $wb
              f32x4.mul
              f32x4.add
              local.set $acc1_1
              local.get $ap
              v128.load32_splat offset=8
              local.set $s
              local.get $acc2_0
              local.get $s
              local.get $wa
              f32x4.mul
              f32x4.add
              local.set $acc2_0
              local.get $acc2_1
              local.get $s
              local.get $wb
              f32x4.mul
              f32x4.add
              local.set $acc2_1
              local.get $ap
              v128.load32_splat offset=12
              local.set $s
              local.get $acc3_0
              local.get $s
              local.get $wa
              f32x4.mul
              f32x4.add
              local.set $acc3_0
              local.get $acc3_1
              local.get $s
              local.get $wb
              f32x4.mul
              f32x4.add
              local.set $acc3_1
              local.get $ap
              local.get $nBytes
              i32.add
              local.set $ap
              local.get $bp
              local.get $mBytes
              i32.add
              local.set $bp
              local.get $e
              i32.const 1
              i32.add
              local.tee $e
              local.get $e1
              i32.lt_u
              br_if 0
            end
          end
          local.get $op
          local.get $mBytes
          i32.const 0
          i32.mul
          i32.add
          local.get $acc0_0
          v128.store
          local.get $op
          local.get $mBytes
          i32.const 0
          i32.mul
          i32.add
          local.get $acc0_1
          v128.store offset=16
          local.get $op
          local.get $mBytes
          i32.const 1
          i32.mul
          i32.add
          local.get $acc1_0
          v128.store
          local.get $op
          local.get $mBytes
          i32.const 1
          i32.mul
          i32.add
          local.get $acc1_1
          v128.store offset=16
          local.get $op
          local.get $mBytes
          i32.const 2
          i32.mul
          i32.add
          local.get $acc2_0
          v128.store
          local.get $op
          local.get $mBytes
          i32.const 2
          i32.mul
          i32.add
          local.get $acc2_1
          v128.store offset=16
          local.get $op
          local.get $mBytes
          i32.const 3
          i32.mul
          i32.add
          local.get $acc3_0
          v128.store
          local.get $op
          local.get $mBytes
          i32.const 3
          i32.mul
          i32.add
          local.get $acc3_1
          v128.store offset=16
          local.get $j
          i32.const 8
          i32.add
          local.tee $j
          local.get $m
          i32.lt_u
          br_if 0
        end
        local.get $i
        i32.const 4
        i32.add
        local.tee $i
        local.get $i1
        i32.lt_u
        br_if 0
      end
      local.get $e1
      local.set $e0
      local.get $e0
      local.get $rows
      i32.lt_u
      br_if 0
    end
  )
  (func $colSum (export "colSum") (param $out i32) (param $b i32) (param $rows i32) (param $m i32) (param $ld i32)
    (local $e i32)
    (local $p i32)
    (local $cb i32)
    (local $ldBytes i32)
    (local $mBytes i32)
    (local $acc0 v128)
    (local $acc1 v128)
    (local $acc2 v128)
    (local $acc3 v128)
    local.get $ld
    i32.const 4
    i32.mul
    local.set $ldBytes
    local.get $m
    i32.const 4
    i32.mul
    local.set $mBytes
    i32.const 0
    local.set $cb
    local.get $cb
    i32.const 63
    i32.add
    local.get $mBytes
    i32.lt_u
    if
      loop
        local.get $out
        local.get $cb
        i32.add
        v128.load
        local.set $acc0
        local.get $out
        local.get $cb
        i32.add
        v128.load offset=16
        local.set $acc1
        local.get $out
        local.get $cb
        i32.add
        v128.load offset=32
        local.set $acc2
        local.get $out
        local.get $cb
        i32.add
        v128.load offset=48
        local.set $acc3
        local.get $b
        local.get $cb
        i32.add
        local.set $p
        i32.const 0
        local.set $e
        loop
          local.get $acc0
          local.get $p
          v128.load
          f32x4.add
          local.set $acc0
          local.get $acc1
          local.get $p
          v128.load offset=16
          f32x4.add
          local.set $acc1
          local.get $acc2
          local.get $p
          v128.load offset=32
          f32x4.add
          local.set $acc2
          local.get $acc3
          local.get $p
          v128.load offset=48
          f32x4.add
          local.set $acc3
          local.get $p
          local.get $ldBytes
          i32.add
          local.set $p
          local.get $e
          i32.const 1
          i32.add
          local.tee $e
          local.get $rows
          i32.lt_u
          br_if 0
        end
        local.get $out
        local.get $cb
        i32.add
        local.get $acc0
        v128.store
        local.get $out
        local.get $cb
        i32.add
        local.get $acc1
        v128.store offset=16
        local.get $out
        local.get $cb
        i32.add
        local.get $acc2
        v128.store offset=32
        local.get $out
        local.get $cb
        i32.add
        local.get $acc3
        v128.store offset=48
        local.get $cb
        i32.const 64
        i32.add
        local.set $cb
        local.get $cb
        i32.const 63
        i32.add
        local.get $mBytes
        i32.lt_u
        br_if 0
      end
    end
    local.get $cb
    local.get $mBytes
    i32.lt_u
    if
      loop
        local.get $out
        local.get $cb
        i32.add
        v128.load
        local.set $acc0
        local.get $b
        local.get $cb
        i32.add
        local.set $p
        i32.const 0
        local.set $e
        loop
          local.get $acc0
          local.get $p
          v128.load
          f32x4.add
          local.set $acc0
          local.get $p
          local.get $ldBytes
          i32.add
          local.set $p
          local.get $e
          i32.const 1
          i32.add
          local.tee $e
          local.get $rows
          i32.lt_u
          br_if 0
        end
        local.get $out
        local.get $cb
        i32.add
        local.get $acc0
        v128.store
        local.get $cb
        i32.const 16
        i32.add
        local.tee $cb
        local.get $mBytes
        i32.lt_u
        br_if 0
      end
    end
  )
  (func $denseTail (export "denseTail") (param $out i32) (param $x i32) (param $ldx i32) (param $rows i32) (param $n i32) (param $w i32) (param $m i32) (param $bias i32)
    (local $r i32)
    (local $jb i32)
    (local $k i32)
    (local $wp i32)
    (local $xp i32)
    (local $xRow i32)
    (local $oRow i32)
    (local $mBytes i32)
    (local $ldxBytes i32)
    (local $acc f64)
    local.get $m
    i32.const 4
    i32.mul
    local.set $mBytes
    local.get $ldx
    i32.const 4
    i32.mul
    local.set $ldxBytes
    local.get $x
    local.set $xRow
    local.get $out
    local.set $oRow
    i32.const 0
    local.set $r
    loop
      i32.const 0
      local.set $jb
      loop
        local.get $bias
        local.get $jb
        i32.add
        f32.load
        f64.promote_f32
        local.set $acc
        local.get $w
        local.get $jb
        i32.add
        local.set $wp
        local.get $xRow
        local.set $xp
        i32.const 0
        local.set $k
        loop
          local.get $acc
          local.get $xp
          f32.load
          f64.promote_f32
          local.get $wp
          f32.load
          f64.promote_f32
          f64.mul
          f64.add
          local.set $acc
          local.get $xp
          i32.const 4
          i32.add
          local.set $xp
          local.get $wp
          local.get $mBytes
          i32.add
          local.set $wp
          local.get $k
          i32.const 1
          i32.add
          local.tee $k
          local.get $n
          i32.lt_u
          br_if 0
        end
        local.get $oRow
        local.get $jb
        i32.add
        local.get $acc
        f32.demote_f64
        f32.store
        local.get $jb
        i32.const 4
        i32.add
        local.tee $jb
        local.get $mBytes
        i32.lt_u
        br_if 0
      end
      local.get $xRow
      local.get $ldxBytes
      i32.add
      local.set $xRow
      local.get $oRow
      local.get $mBytes
      i32.add
      local.set $oRow
      local.get $r
      i32.const 1
      i32.add
      local.tee $r
      local.get $rows
      i32.lt_u
      br_if 0
    end
  )
  (func $denseTail32 (export "denseTail32") (param $out i32) (param $x i32) (param $ldx i32) (param $rows i32) (param $n i32) (param $w i32) (param $m i32) (param $bias i32)
    (local $r i32)
    (local $jb i32)
    (local $k i32)
    (local $wp i32)
    (local $xp i32)
    (local $xRow i32)
    (local $oRow i32)
    (local $mBytes i32)
    (local $ldxBytes i32)
    (local $acc f32)
    local.get $m
    i32.const 4
    i32.mul
    local.set $mBytes
    local.get $ldx
    i32.const 4
    i32.mul
    local.set $ldxBytes
    local.get $x
    local.set $xRow
    local.get $out
    local.set $oRow
    i32.const 0
    local.set $r
    loop
      i32.const 0
      local.set $jb
      loop
        local.get $bias
        local.get $jb
        i32.add
        f32.load
        local.set $acc
        local.get $w
        local.get $jb
        i32.add
        local.set $wp
        local.get $xRow
        local.set $xp
        i32.const 0
        local.set $k
        loop
          local.get $acc
          local.get $xp
          f32.load
          local.get $wp
          f32.load
          f32.mul
          f32.add
          local.set $acc
          local.get $xp
          i32.const 4
          i32.add
          local.set $xp
          local.get $wp
          local.get $mBytes
          i32.add
          local.set $wp
          local.get $k
          i32.const 1
          i32.add
          local.tee $k
          local.get $n
          i32.lt_u
          br_if 0
        end
        local.get $oRow
        local.get $jb
        i32.add
        local.get $acc
        f32.store
        local.get $jb
        i32.const 4
        i32.add
        local.tee $jb
        local.get $mBytes
        i32.lt_u
        br_if 0
      end
      local.get $xRow
      local.get $ldxBytes
      i32.add
      local.set $xRow
      local.get $oRow
      local.get $mBytes
      i32.add
      local.set $oRow
      local.get $r
      i32.const 1
      i32.add
      local.tee $r
      local.get $rows
      i32.lt_u
      br_if 0
    end
  )
  (func $transposeWords (export "transposeWords") (param $out i32) (param $w i32) (param $n i32) (param $m i32)
    (local $i i32)
    (local $j i32)
    (local $op i32)
    (local $wp i32)
    (local $nBytes i32)
    local.get $n
    i32.const 4
    i32.mul
    local.set $nBytes
    local.get $out
    local.set $op
    i32.const 0
    local.set $i
    loop
      local.get $w
      local.get $i
      i32.const 4
      i32.mul
      i32.add
      local.set $wp
      i32.const 0
      local.set $j
      loop
        local.get $op
        local.get $wp
        i32.load
        i32.store
        local.get $op
        i32.const 4
        i32.add
        local.set $op
        local.get $wp
        local.get $nBytes
        i32.add
        local.set $wp
        local.get $j
        i32.const 1
        i32.add
        local.tee $j
        local.get $m
        i32.lt_u
        br_if 0
      end
      local.get $i
      i32.const 1
      i32.add
      local.tee $i
      local.get $n
      i32.lt_u
      br_if 0
    end
  )
)
