(module
  (import "env" "memory" (memory 1))
  (func $copyWords (export "copyWords") (param $out i32) (param $x i32) (param $rows i32) (param $words i32) (param $outStride i32) (param $xStride i32)
    (local $e i32)
    (local $fb i32)
    (local $fbEnd i32)
    (local $op i32)
    (local $xp i32)
    local.get $words
    i32.const 4
    i32.mul
    local.set $fbEnd
    i32.const 0
    local.set $e
    loop
      local.get $x
      local.get $e
      local.get $xStride
      i32.mul
      i32.add
      local.set $xp
      local.get $out
      local.get $e
      local.get $outStride
      i32.mul
      i32.add
      local.set $op
      i32.const 0
      local.set $fb
      loop
        local.get $op
        local.get $fb
        i32.add
        local.get $xp
        local.get $fb
        i32.add
        i32.load
        i32.store
        local.get $fb
        i32.const 4
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
  (func $copyWordsBias (export "copyWordsBias") (param $out i32) (param $x i32) (param $rows i32) (param $words i32) (param $outStride i32) (param $xStride i32) (param $bias i32)
    (local $e i32)
    (local $fb i32)
    (local $fbEnd i32)
    (local $op i32)
    (local $xp i32)
    local.get $words
    i32.const 4
    i32.mul
    local.set $fbEnd
    i32.const 0
    local.set $e
    loop
      local.get $x
      local.get $e
      local.get $xStride
      i32.mul
      i32.add
      local.set $xp
      local.get $out
      local.get $e
      local.get $outStride
      i32.mul
      i32.add
      local.set $op
      i32.const 0
      local.set $fb
      loop
        local.get $op
        local.get $fb
        i32.add
        local.get $xp
        local.get $fb
        i32.add
        f32.load
        local.get $bias
        local.get $fb
        i32.add
        f32.load
        f32.add
        f32.store
        local.get $fb
        i32.const 4
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
