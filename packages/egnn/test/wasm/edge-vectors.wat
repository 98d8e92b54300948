(module
  (import "env" "memory" (memory 1))
  (func $edgeVectors (export "edgeVectors") (param $out i32) (param $frac i32) (param $lat i32) (param $src i32) (param $dst i32) (param $img i32) (param $crystal i32) (param $rows i32)
    (local $e i32)
    (local $fs i32)
    (local $fd i32)
    (local $lp i32)
    (local $ip i32)
    (local $op i32)
    (local $d0 f32)
    (local $d1 f32)
    (local $d2 f32)
    (local $zero f32)
    local.get $img
    local.set $ip
    local.get $out
    local.set $op
    i32.const 0
    local.set $e
    loop
      local.get $frac
      local.get $src
      local.get $e
      i32.const 4
      i32.mul
      i32.add
      i32.load
      i32.const 12
      i32.mul
      i32.add
      local.set $fs
      local.get $frac
      local.get $dst
      local.get $e
      i32.const 4
      i32.mul
      i32.add
      i32.load
      i32.const 12
      i32.mul
      i32.add
      local.set $fd
      local.get $lat
      local.get $crystal
      local.get $e
      i32.const 4
      i32.mul
      i32.add
      i32.load
      i32.const 36
      i32.mul
      i32.add
      local.set $lp
      local.get $fd
      f32.load
      local.get $ip
      f32.load
      f32.add
      local.get $fs
      f32.load
      f32.sub
      local.set $d0
      local.get $fd
      f32.load offset=4
      local.get $ip
      f32.load offset=4
      f32.add
      local.get $fs
      f32.load offset=4
      f32.sub
      local.set $d1
      local.get $fd
      f32.load offset=8
      local.get $ip
      f32.load offset=8
      f32.add
      local.get $fs
      f32.load offset=8
      f32.sub
      local.set $d2
      local.get $op
      local.get $zero
      local.get $d0
      local.get $lp
      f32.load
      f32.mul
      f32.add
      local.get $d1
      local.get $lp
      f32.load offset=12
      f32.mul
      f32.add
      local.get $d2
      local.get $lp
      f32.load offset=24
      f32.mul
      f32.add
      f32.store
      local.get $op
      local.get $zero
      local.get $d0
      local.get $lp
      f32.load offset=4
      f32.mul
      f32.add
      local.get $d1
      local.get $lp
      f32.load offset=16
      f32.mul
      f32.add
      local.get $d2
      local.get $lp
      f32.load offset=28
      f32.mul
      f32.add
      f32.store offset=4
      local.get $op
      local.get $zero
      local.get $d0
      local.get $lp
      f32.load offset=8
      f32.mul
      f32.add
      local.get $d1
      local.get $lp
      f32.load offset=20
      f32.mul
      f32.add
      local.get $d2
      local.get $lp
      f32.load offset=32
      f32.mul
      f32.add
      f32.store offset=8
      local.get $ip
      i32.const 12
      i32.add
      local.set $ip
      local.get $op
      i32.const 12
      i32.add
      local.set $op
      local.get $e
      i32.const 1
      i32.add
      local.tee $e
      local.get $rows
      i32.lt_u
      br_if 0
    end
  )
)
