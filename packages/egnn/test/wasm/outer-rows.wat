(module
  (import "env" "memory" (memory 1))
  (func $outerRows (export "outerRows") (param $out i32) (param $a i32) (param $b i32) (param $rows i32) (param $c i32)
    (local $e i32)
    (local $j i32)
    (local $ap i32)
    (local $op i32)
    (local $bp i32)
    (local $v f32)
    (local $b0 f32)
    (local $b1 f32)
    (local $b2 f32)
    local.get $a
    local.set $ap
    local.get $out
    local.set $op
    local.get $b
    local.set $bp
    i32.const 0
    local.set $e
    loop
      local.get $bp
      f32.load
      local.set $b0
      local.get $bp
      f32.load offset=4
      local.set $b1
      local.get $bp
      f32.load offset=8
      local.set $b2
      i32.const 0
      local.set $j
      loop
        local.get $ap
        f32.load
        local.set $v
        local.get $op
        local.get $v
        local.get $b0
        f32.mul
        f32.store
        local.get $op
        local.get $v
        local.get $b1
        f32.mul
        f32.store offset=4
        local.get $op
        local.get $v
        local.get $b2
        f32.mul
        f32.store offset=8
        local.get $ap
        i32.const 4
        i32.add
        local.set $ap
        local.get $op
        i32.const 12
        i32.add
        local.set $op
        local.get $j
        i32.const 1
        i32.add
        local.tee $j
        local.get $c
        i32.lt_u
        br_if 0
      end
      local.get $bp
      i32.const 12
      i32.add
      local.set $bp
      local.get $e
      i32.const 1
      i32.add
      local.tee $e
      local.get $rows
      i32.lt_u
      br_if 0
    end
  )
  (func $outerRowsGrad (export "outerRowsGrad") (param $out i32) (param $dy i32) (param $b i32) (param $rows i32) (param $c i32)
    (local $e i32)
    (local $j i32)
    (local $dp i32)
    (local $op i32)
    (local $bp i32)
    (local $b0 f32)
    (local $b1 f32)
    (local $b2 f32)
    local.get $dy
    local.set $dp
    local.get $out
    local.set $op
    local.get $b
    local.set $bp
    i32.const 0
    local.set $e
    loop
      local.get $bp
      f32.load
      local.set $b0
      local.get $bp
      f32.load offset=4
      local.set $b1
      local.get $bp
      f32.load offset=8
      local.set $b2
      i32.const 0
      local.set $j
      loop
        local.get $op
        local.get $dp
        f32.load
        local.get $b0
        f32.mul
        local.get $dp
        f32.load offset=4
        local.get $b1
        f32.mul
        f32.add
        local.get $dp
        f32.load offset=8
        local.get $b2
        f32.mul
        f32.add
        f32.store
        local.get $dp
        i32.const 12
        i32.add
        local.set $dp
        local.get $op
        i32.const 4
        i32.add
        local.set $op
        local.get $j
        i32.const 1
        i32.add
        local.tee $j
        local.get $c
        i32.lt_u
        br_if 0
      end
      local.get $bp
      i32.const 12
      i32.add
      local.set $bp
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
