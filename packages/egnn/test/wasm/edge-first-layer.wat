(module
  (import "env" "memory" (memory 1))
  (func $edgeFirst (export "edgeFirst") (param $out i32) (param $a i32) (param $ia i32) (param $b i32) (param $ib i32) (param $x i32) (param $rows i32) (param $n i32) (param $w i32) (param $m i32) (param $bias i32)
    (local $r i32)
    (local $j i32)
    (local $k i32)
    (local $wp i32)
    (local $mBytes i32)
    (local $t i32)
    (local $nBytes i32)
    (local $xp0 i32)
    (local $xp1 i32)
    (local $xp2 i32)
    (local $xp3 i32)
    (local $ar0 i32)
    (local $ar1 i32)
    (local $ar2 i32)
    (local $ar3 i32)
    (local $br0 i32)
    (local $br1 i32)
    (local $br2 i32)
    (local $br3 i32)
    (local $or0 i32)
    (local $or1 i32)
    (local $or2 i32)
    (local $or3 i32)
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
    local.get $m
    i32.const 4
    i32.mul
    local.set $mBytes
    local.get $n
    i32.const 4
    i32.mul
    local.set $nBytes
    i32.const 0
    local.set $r
    loop
      local.get $a
      local.get $ia
      local.get $r
      i32.const 2
      i32.shl
      i32.add
      i32.load
      local.get $mBytes
      i32.mul
      i32.add
      local.set $ar0
      local.get $b
      local.get $ib
      local.get $r
      i32.const 2
      i32.shl
      i32.add
      i32.load
      local.get $mBytes
      i32.mul
      i32.add
      local.set $br0
      local.get $out
      local.get $r
      i32.const 0
      i32.add
      local.get $mBytes
      i32.mul
      i32.add
      local.set $or0
      local.get $a
      local.get $ia
      local.get $r
      i32.const 2
      i32.shl
      i32.add
      i32.load offset=4
      local.get $mBytes
      i32.mul
      i32.add
      local.set $ar1
      local.get $b
      local.get $ib
      local.get $r
      i32.const 2
      i32.shl
      i32.add
      i32.load offset=4
      local.get $mBytes
      i32.mul
      i32.add
      local.set $br1
      local.get $out
      local.get $r
      i32.const 1
      i32.add
      local.get $mBytes
      i32.mul
      i32.add
      local.set $or1
      local.get $a
      local.get $ia
      local.get $r
      i32.const 2
      i32.shl
      i32.add
      i32.load offset=8
      local.get $mBytes
      i32.mul
      i32.add
      local.set $ar2
      local.get $b
      local.get $ib
      local.get $r
      i32.const 2
      i32.shl
      i32.add
      i32.load offset=8
      local.get $mBytes
      i32.mul
      i32.add
      local.set $br2
      local.get $out
      local.get $r
      i32.const 2
      i32.add
      local.get $mBytes
      i32.mul
      i32.add
      local.set $or2
      local.get $a
      local.get $ia
      local.get $r
      i32.const 2
      i32.shl
      i32.add
      i32.load offset=12
      local.get $mBytes
      i32.mul
      i32.add
      local.set $ar3
      local.get $b
      local.get $ib
      local.get $r
      i32.const 2
      i32.shl
      i32.add
      i32.load offset=12
      local.get $mBytes
      i32.mul
      i32.add
      local.set $br3
      local.get $out
      local.get $r
      i32.const 3
      i32.add
      local.get $mBytes
      i32.mul
      i32.add
      local.set $or3
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
        local.get $nBytes
        i32.mul
        i32.add
        local.set $xp0
        local.get $x
        local.get $r
        i32.const 1
        i32.add
        local.get $nBytes
        i32.mul
        i32.add
        local.set $xp1
        local.get $x
        local.get $r
        i32.const 2
        i32.add
        local.get $nBytes
        i32.mul
        i32.add
        local.set $xp2
        local.get $x
        local.get $r
        i32.const 3
        i32.add
        local.get $nBytes
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
        local.get $j
        i32.const 4
        i32.mul
        local.set $t
        local.get $or0
        local.get $t
        i32.add
        local.get $ar0
        local.get $t
        i32.add
        v128.load
        local.get $br0
        local.get $t
        i32.add
        v128.load
        f32x4.add
        local.get $acc0_0
        f32x4.add
        v128.store
        local.get $or0
        local.get $t
        i32.add
        local.get $ar0
        local.get $t
        i32.add
        v128.load offset=16
        local.get $br0
        local.get $t
        i32.add
        v128.load offset=16
        f32x4.add
        local.get $acc0_1
        f32x4.add
        v128.store offset=16
        local.get $or1
        local.get $t
        i32.add
        local.get $ar1
        local.get $t
        i32.add
        v128.load
        local.get $br1
        local.get $t
        i32.add
        v128.load
        f32x4.add
        local.get $acc1_0
        f32x4.add
        v128.store
        local.get $or1
        local.get $t
        i32.add
        local.get $ar1
        local.get $t
        i32.add
        v128.load offset=16
        local.get $br1
        local.get $t
        i32.add
        v128.load offset=16
        f32x4.add
        local.get $acc1_1
        f32x4.add
        v128.store offset=16
        local.get $or2
        local.get $t
        i32.add
        local.get $ar2
        local.get $t
        i32.add
        v128.load
        local.get $br2
        local.get $t
        i32.add
        v128.load
        f32x4.add
        local.get $acc2_0
        f32x4.add
        v128.store
        local.get $or2
        local.get $t
        i32.add
        local.get $ar2
        local.get $t
        i32.add
        v128.load offset=16
        local.get $br2
        local.get $t
        i32.add
        v128.load offset=16
        f32x4.add
        local.get $acc2_1
        f32x4.add
        v128.store offset=16
        local.get $or3
        local.get $t
        i32.add
        local.get $ar3
        local.get $t
        i32.add
        v128.load
        local.get $br3
        local.get $t
        i32.add
        v128.load
        f32x4.add
        local.get $acc3_0
        f32x4.add
        v128.store
        local.get $or3
        local.get $t
        i32.add
        local.get $ar3
        local.get $t
        i32.add
        v128.load offset=16
        local.get $br3
        local.get $t
        i32.add
        v128.load offset=16
        f32x4.add
        local.get $acc3_1
        f32x4.add
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
  (func $edgeFirstTail (export "edgeFirstTail") (param $out i32) (param $a i32) (param $ia i32) (param $b i32) (param $ib i32) (param $x i32) (param $rows i32) (param $n i32) (param $w i32) (param $m i32) (param $bias i32)
    (local $r i32)
    (local $jb i32)
    (local $k i32)
    (local $wp i32)
    (local $xp i32)
    (local $xRow i32)
    (local $oRow i32)
    (local $aRow i32)
    (local $bRow i32)
    (local $mBytes i32)
    (local $nBytes i32)
    (local $acc f64)
    local.get $m
    i32.const 4
    i32.mul
    local.set $mBytes
    local.get $n
    i32.const 4
    i32.mul
    local.set $nBytes
    local.get $x
    local.set $xRow
    local.get $out
    local.set $oRow
    i32.const 0
    local.set $r
    loop
      local.get $a
      local.get $ia
      local.get $r
      i32.const 4
      i32.mul
      i32.add
      i32.load
      local.get $mBytes
      i32.mul
      i32.add
      local.set $aRow
      local.get $b
      local.get $ib
      local.get $r
      i32.const 4
      i32.mul
      i32.add
      i32.load
      local.get $mBytes
      i32.mul
      i32.add
      local.set $bRow
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
        local.get $aRow
        local.get $jb
        i32.add
        f32.load
        local.get $bRow
        local.get $jb
        i32.add
        f32.load
        f32.add
        local.get $acc
        f32.demote_f64
        f32.add
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
      local.get $nBytes
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
)
