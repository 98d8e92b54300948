(module
  (import "env" "memory" (memory 1))
  (func $gather2Add (export "gather2Add") (param $out i32) (param $a i32) (param $ia i32) (param $b i32) (param $ib i32) (param $c i32) (param $rows i32) (param $f i32)
    (local $e i32)
    (local $fb i32)
    (local $fbEnd i32)
    (local $op i32)
    (local $ap i32)
    (local $bp i32)
    (local $cp i32)
    local.get $f
    i32.const 4
    i32.mul
    local.set $fbEnd
    i32.const 0
    local.set $e
    loop
      local.get $e
      i32.const 2
      i32.shl
      local.set $ap
      local.get $a
      local.get $ia
      local.get $ap
      i32.add
      i32.load
      local.get $fbEnd
      i32.mul
      i32.add
      local.get $b
      local.get $ib
      local.get $ap
      i32.add
      i32.load
      local.get $fbEnd
      i32.mul
      i32.add
      local.set $bp
      local.set $ap
      local.get $e
      local.get $fbEnd
      i32.mul
      local.set $cp
      local.get $out
      local.get $cp
      i32.add
      local.set $op
      local.get $c
      local.get $cp
      i32.add
      local.set $cp
      i32.const 0
      local.set $fb
      loop
        local.get $op
        local.get $fb
        i32.add
        local.get $ap
        local.get $fb
        i32.add
        v128.load
        local.get $bp
        local.get $fb
        i32.add
        v128.load
        f32x4.add
        local.get $cp
        local.get $fb
        i32.add
        v128.load
        f32x4.add
        v128.store
        local.get $fb
        i32.const 16
        i32.add
        local.tee $fb
        local.get $fbEnd
        i32.lt_u
        br_if 0
      end
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
