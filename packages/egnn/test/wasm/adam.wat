(module
  (import "env" "memory" (memory 1))
  (func $adam (export "adam") (param $w i32) (param $m i32) (param $v i32) (param $g i32) (param $ow i32) (param $om i32) (param $ov i32) (param $k i32) (param $bytes i32)
    (local $o i32)
    (local $gs v128)
    (local $mv v128)
    (local $vv v128)
    (local $c v128)
    (local $beta1 v128)
    (local $oneMinusBeta1 v128)
    (local $beta2 v128)
    (local $oneMinusBeta2 v128)
    (local $epsilon v128)
    (local $step v128)
    local.get $k
    v128.load32_splat
    local.set $c
    local.get $k
    v128.load32_splat offset=4
    local.set $beta1
    local.get $k
    v128.load32_splat offset=8
    local.set $oneMinusBeta1
    local.get $k
    v128.load32_splat offset=12
    local.set $beta2
    local.get $k
    v128.load32_splat offset=16
    local.set $oneMinusBeta2
    local.get $k
    v128.load32_splat offset=20
    local.set $epsilon
    local.get $k
    v128.load32_splat offset=24
    local.set $step
    i32.const 0
    local.set $o
    loop
      local.get $g
      local.get $o
      i32.add
      v128.load
      local.get $c
      f32x4.mul
      local.set $gs
      local.get $m
      local.get $o
      i32.add
      v128.load
      local.get $beta1
      f32x4.mul
      local.get $gs
      local.get $oneMinusBeta1
      f32x4.mul
      f32x4.add
      local.set $mv
      local.get $om
      local.get $o
      i32.add
      local.get $mv
      v128.store
      local.get $v
      local.get $o
      i32.add
      v128.load
      local.get $beta2
      f32x4.mul
      local.get $gs
      local.get $gs
      f32x4.mul
      local.get $oneMinusBeta2
      f32x4.mul
      f32x4.add
      local.set $vv
      local.get $ov
      local.get $o
      i32.add
      local.get $vv
      v128.store
      local.get $ow
      local.get $o
      i32.add
      local.get $w
      local.get $o
      i32.add
      v128.load
      local.get $mv
      local.get $vv
      f32x4.sqrt
      local.get $epsilon
      f32x4.add
      f32x4.div
      local.get $step
      f32x4.mul
      f32x4.sub
      v128.store
      local.get $o
      i32.const 16
      i32.add
      local.tee $o
      local.get $bytes
      i32.lt_u
      br_if 0
    end
  )
)
